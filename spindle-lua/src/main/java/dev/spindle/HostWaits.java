package dev.spindle;

import dev.spindle.kernel.reactor.Reactor;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Host events that fire when a kernel object (a socket, a DNS lookup) may be ready: each wait is a one-shot
 * callback registered with the object, which posts its event to the Lua scheduler. A registered wait holds a
 * wake source of the reactor until it fires or is withdrawn, so a script waiting on it is never taken for
 * deadlocked.
 *
 * <p>Concurrency: reactor only.
 */
final class HostWaits {
  private final LuaHost host;
  private final Reactor reactor;
  private final Map<Integer, Wait> waits = new HashMap<>(); // event id -> registered wait

  /** A registered wait: how to withdraw it, and the callback that posts the event. */
  private record Wait(Predicate<Runnable> withdraw, Runnable callback) {}

  HostWaits(LuaHost host) {
    this.host = host;
    this.reactor = host.reactor();
  }

  /**
   * Registers a wait: {@code add} installs the callback with the object, {@code withdraw} removes it (true
   * if it was still there). Returns the event id that the callback posts, with the value true.
   */
  int register(Consumer<Runnable> add, Predicate<Runnable> withdraw) {
    int id = host.newEvent();
    reactor.holdWakeSource();
    Runnable cb = () -> {
      waits.remove(id);
      reactor.releaseWakeSource();
      host.post(id, Boolean.TRUE);
    };
    waits.put(id, new Wait(withdraw, cb));
    add.accept(cb);
    return id;
  }

  /** Withdraws the wait of event {@code id} if it has not fired (it ended another way). */
  void withdraw(int id) {
    Wait w = waits.remove(id);
    if (w != null && w.withdraw.test(w.callback)) reactor.releaseWakeSource();
  }
}
