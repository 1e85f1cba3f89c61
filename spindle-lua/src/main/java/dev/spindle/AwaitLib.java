package dev.spindle;

import dev.spindle.kernel.wait.Awaitable;
import dev.spindle.kernel.wait.TaskWaiter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import party.iroiro.luajava.Lua;

/**
 * Host functions that let a coroutine wait on any kernel {@link Awaitable} held in the state's handles
 * (signal listeners, directory watches): the Lua side (S.awaitable and S.take in cqueues.lua) blocks the
 * calling coroutine on the event id that {@code aw_wait} returns.
 *
 * <p>Concurrency: reactor only. A registered wait is a {@link TaskWaiter}, so it holds a wake source of
 * the reactor until it fires or is withdrawn: a script waiting for a signal is not taken for deadlocked.
 */
final class AwaitLib {
  private final LuaHost host;
  private final Map<Integer, Registration> waits = new HashMap<>(); // reactor only: event id -> wait

  private record Registration(Awaitable source, TaskWaiter waiter) {}

  private AwaitLib(LuaHost host) {
    this.host = host;
  }

  static void push(Lua lua, LuaHost host) {
    AwaitLib lib = new AwaitLib(host);
    LuaHostLib.set(lua, "aw_wait", lib::await);
    LuaHostLib.set(lua, "aw_unwait", lib::unwait);
    LuaHostLib.set(lua, "aw_ready", l -> {
      Awaitable a = lib.source(l);
      l.push(a != null && a.ready());
      return 1;
    });
    LuaHostLib.set(lua, "aw_cancel", lib::cancel);
    LuaHostLib.set(lua, "aw_close", l -> {
      if (host.handles().remove(l.toInteger(1)) instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // signal listeners and directory watches do not fail to close
        }
      }
      return 0;
    });
  }

  private Awaitable source(Lua l) {
    return host.handles().get(l.toInteger(1), Awaitable.class);
  }

  /**
   * aw_wait(h) -> event id. The event fires with true once the object has something ready (at the next
   * turn if it has now), with false once it is closed (at once for a handle that is gone).
   */
  private int await(Lua l) {
    Awaitable a = source(l);
    int id = host.newEvent();
    l.push(id);
    if (a == null) {
      host.post(id, Boolean.FALSE);
      return 1;
    }
    TaskWaiter w = new TaskWaiter(host.reactor(), v -> {
      waits.remove(id);
      host.post(id, v);
    });
    waits.put(id, new Registration(a, w));
    if (a.register(w)) w.wake(!a.isClosed());
    return 1;
  }

  /** aw_unwait(h, id): withdraws a wait that ended another way (a timeout). */
  private int unwait(Lua l) {
    Registration r = waits.remove((int) l.toInteger(2));
    if (r != null && r.waiter.cancel()) r.source.unregister(r.waiter);
    return 0;
  }

  /** aw_cancel(h): wakes this state's waits on the object (cqueues.cancel). */
  private int cancel(Lua l) {
    Awaitable a = source(l);
    List<Registration> on = new ArrayList<>();
    for (Registration r : waits.values()) if (r.source == a) on.add(r);
    for (Registration r : on) r.waiter.wake(Boolean.TRUE);
    return 0;
  }
}
