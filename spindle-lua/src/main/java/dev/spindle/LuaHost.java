package dev.spindle;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.Timer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import dev.spindle.kernel.wait.TaskWaiter;
import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.LuaException;
import party.iroiro.luajava.lua54.Lua54;

/**
 * One run: a reactor, the Lua state it owns, and the loop that drives the state's scheduler
 * ({@code spindle/sched.lua}).
 *
 * <p>Concurrency: the Lua state and every field marked "reactor only" are touched only on the reactor
 * thread. {@link #stop} and {@link #result} may be called from any thread.
 *
 * <p>The loop: a turn hands the events since the last turn (fired timers, ended cross-thread waits) to
 * the scheduler, which resumes runnable script threads (a bounded number per turn) and reports how many
 * are still runnable and whether the run has ended. With
 * nothing runnable the reactor sleeps until a timer or another thread wakes it; with nothing runnable and
 * nothing that could wake it ({@link Reactor#wakeSources()} at zero), the run is deadlocked.
 */
final class LuaHost {
  /**
   * A script to run: its name for messages, its bytes, its directory (or null), and its arguments: plain
   * strings, or values copied from another state (bytes of spindle/copy.lua's encoding, or null).
   */
  record Script(String name, byte[] source, Path dir, List<String> args, byte[] copiedArgs) {}

  private static final int MULTRET = -1; // lua.h LUA_MULTRET

  private final Spindle spindle;
  private final long handle;
  private final LuaHost parent; // the script that started this one in the background, or null
  private final Script script;
  private final CompletableFuture<ScriptResult> result = new CompletableFuture<>();
  private final long startNanos = System.nanoTime();
  private final List<LuaHost> children = new CopyOnWriteArrayList<>(); // background scripts started here
  private volatile boolean errorSeen; // someone read this run's error through script.status
  private volatile Reactor reactor; // set once by start

  private Lua lua; // reactor only; null once closed
  private int hostRef; // reactor only: the table prelude.lua returned
  private final Map<Integer, Timer> timers = new HashMap<>(); // reactor only
  private final Handles handles = new Handles(); // reactor only
  private final List<Object> events = new ArrayList<>(); // reactor only: (id, value) pairs since the last turn
  private int nextEvent; // reactor only: ids of timers and waits, matched by sched.lua
  private boolean turnQueued; // reactor only

  LuaHost(Spindle spindle, long handle, LuaHost parent, Script script) {
    this.spindle = spindle;
    this.handle = handle;
    this.parent = parent;
    this.script = script;
  }

  long handle() {
    return handle;
  }

  Spindle spindle() {
    return spindle;
  }

  boolean inBackground() {
    return parent != null;
  }

  Script script() {
    return script;
  }

  long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000L;
  }

  void addChild(LuaHost child) {
    children.add(child);
  }

  /** Marks this run's error as read; returns the result future. */
  CompletableFuture<ScriptResult> readResult() {
    errorSeen = true;
    return result;
  }

  CompletableFuture<ScriptResult> result() {
    return result;
  }

  void start() {
    reactor = Reactor.start("spindle-script-" + handle);
    reactor.execute(this::boot);
  }

  void stop(String why) {
    Reactor r = reactor;
    if (r != null && !result.isDone()) {
      r.execute(() -> {
        if (lua != null) hostString("unwind");
        fail(new ScriptException(script.name() + ": " + why, null));
      });
    }
  }

  void awaitTermination() {
    Reactor r = reactor;
    if (r != null && !r.inLoop()) r.close();
  }

  /* ---------------- reactor thread ---------------- */

  private void boot() {
    try {
      lua = new Lua54();
      lua.openLibraries();
      LuaHostLib.push(lua, this);
      lua.load(LuaHostLib.resource("spindle/prelude.lua"), "@[spindle]/prelude.lua");
      lua.insert(-2); // prelude below K
      lua.push(packagePath());
      lua.pCall(2, 1);
      hostRef = lua.ref();
    } catch (LuaException | IllegalStateException e) {
      fail(new ScriptException("cannot start a Lua state: " + e.getMessage(), null));
      return;
    }
    try {
      lua.load(direct(script.source()), "@" + script.name());
    } catch (LuaException e) {
      fail(new ScriptException(e.getMessage(), null));
      return;
    }
    lua.createTable(script.args().size(), 1);
    lua.push(script.name());
    lua.rawSetI(-2, 0);
    for (int i = 0; i < script.args().size(); i++) {
      lua.push(script.args().get(i));
      lua.rawSetI(-2, i + 1);
    }
    lua.setGlobal("arg");
    int fn = lua.ref();
    lua.refGet(hostRef);
    lua.getField(-1, script.copiedArgs() == null ? "start" : "start_copied");
    lua.refGet(fn);
    lua.unref(fn);
    lua.push(script.name());
    if (script.copiedArgs() != null) {
      lua.push(direct(script.copiedArgs()));
      if (!call(3, 0)) return;
    } else {
      for (String a : script.args()) lua.push(a);
      if (!call(2 + script.args().size(), 0)) return;
    }
    queueTurn();
  }

  private String packagePath() {
    StringBuilder p = new StringBuilder();
    List<Path> dirs = new ArrayList<>();
    if (script.dir() != null) dirs.add(script.dir());
    dirs.addAll(spindle.modulePath());
    for (Path d : dirs) {
      String s = d.toString();
      p.append(s).append("/?.lua;").append(s).append("/?/init.lua;");
    }
    return p.isEmpty() ? "" : p.substring(0, p.length() - 1);
  }

  private void queueTurn() {
    if (!turnQueued) {
      turnQueued = true;
      reactor.execute(this::turn);
    }
  }

  private void turn() {
    turnQueued = false;
    if (lua == null) return;
    lua.refGet(hostRef);
    lua.getField(-1, "turn");
    for (Object v : events) LuaValues.push(lua, v);
    int n = events.size();
    events.clear();
    if (!call(n, 2)) return;
    long runnable = lua.toInteger(-2);
    boolean ended = lua.toBoolean(-1);
    lua.setTop(0);
    if (ended) {
      end();
    } else if (runnable > 0) {
      queueTurn();
    } else if (!turnQueued && reactor.wakeSources() == 0) { // an event posted during the turn is work too
      String report = hostString("deadlock");
      if (report != null) fail(new DeadlockException(report));
    }
  }

  /** Calls the function below {@code nargs} arguments (above the host table); false if the run failed. */
  private boolean call(int nargs, int nresults) {
    try {
      lua.pCall(nargs, nresults);
      return true;
    } catch (LuaException e) {
      fail(new ScriptException("Spindle internal error: " + e.getMessage(), null));
      return false;
    }
  }

  private String hostString(String fname) {
    lua.setTop(0);
    lua.refGet(hostRef);
    lua.getField(-1, fname);
    if (!call(0, 1)) return null;
    String s = lua.isNil(-1) ? null : LuaValues.string(lua, -1);
    lua.setTop(0);
    return s;
  }

  private void end() {
    lua.setTop(0);
    lua.refGet(hostRef);
    lua.getField(-1, "outcome");
    if (!call(0, MULTRET)) return;
    int top = lua.getTop();
    String kind = LuaValues.string(lua, 2);
    ScriptResult ok = null;
    ScriptException failure = null;
    switch (kind) {
      case "ok" -> {
        List<Object> values = new ArrayList<>();
        for (int i = 3; i <= top; i++) values.add(LuaValues.toJava(lua, i));
        ok = new ScriptResult(values, 0);
      }
      case "exit" -> ok = new ScriptResult(List.of(), (int) lua.toInteger(3));
      default -> failure = new ScriptException(LuaValues.string(lua, 3), LuaValues.string(lua, 4));
    }
    String unread = hostString("unreported");
    if (unread != null) spindle.err().println(unread);
    if (failure != null) {
      fail(failure);
    } else {
      ScriptResult done = ok;
      close(() -> result.complete(done));
    }
  }

  /**
   * Settles the result once the background scripts started by this run have ended too (a run waits for
   * them, as a process waits for its non-daemon threads), and reports their unread errors.
   */
  private void settle(Runnable complete) {
    CompletableFuture<?>[] all = children.stream().map(c -> c.result).toArray(CompletableFuture<?>[]::new);
    CompletableFuture.allOf(all).whenComplete((v, e) -> {
      for (LuaHost c : children) {
        if (c.result.isCompletedExceptionally() && !c.errorSeen) {
          c.result.exceptionally(x -> {
            if (x instanceof ScriptException se) {
              spindle.err().println("background script " + c.handle + " (" + c.script.name() + ") failed: " + se.traceback());
            }
            return null;
          });
        }
      }
      complete.run();
    });
  }

  private void fail(ScriptException e) {
    close(() -> result.completeExceptionally(e));
  }

  /** Closes the Lua state and the reactor, then settles the result. Idempotent. */
  private void close(Runnable settle) {
    if (lua != null) {
      try {
        lua.setTop(0);
        lua.refGet(hostRef);
        lua.getField(-1, "close"); // flushes output, and stops finalizers from calling the host
        lua.pCall(0, 0);
      } catch (LuaException | IllegalStateException ignored) {
        // the state may not have finished booting; nothing to flush or stop then
      }
      for (Timer t : timers.values()) t.cancel();
      timers.clear();
      handles.closeAll();
      lua.close();
      lua = null;
      spindle.out().flush();
      reactor.close();
    }
    settle(settle);
  }

  /* ---------------- host functions, called from Lua on the reactor thread ---------------- */

  Reactor reactor() {
    return reactor;
  }

  Handles handles() {
    return handles;
  }

  /** A fresh event id, for a wakeup that {@link #post} will deliver. */
  int newEvent() {
    return ++nextEvent;
  }

  int armTimer(long ms) {
    int id = newEvent();
    timers.put(id, reactor.schedule(ms * 1_000_000L, () -> {
      timers.remove(id);
      post(id, null);
    }));
    return id;
  }

  /** Delivers event {@code id} with {@code value} to the scheduler at the next turn. Reactor thread. */
  void post(int id, Object value) {
    if (lua == null) return;
    events.add(id);
    events.add(value);
    queueTurn();
  }

  /**
   * Waits for the run {@code other} to end, for at most {@code timeoutMs} (negative: no limit). Returns
   * the event id that will carry true (ended) or false (timed out). Reactor thread.
   */
  int awaitRun(LuaHost other, long timeoutMs) {
    int id = newEvent();
    Timer[] timer = new Timer[1];
    TaskWaiter waiter = new TaskWaiter(reactor, v -> {
      if (timer[0] != null) timer[0].cancel();
      post(id, Boolean.TRUE);
    });
    if (timeoutMs >= 0) {
      timer[0] = reactor.schedule(timeoutMs * 1_000_000L, () -> {
        if (waiter.cancel()) post(id, Boolean.FALSE);
      });
    }
    other.result.whenComplete((r, e) -> waiter.wake(Boolean.TRUE));
    return id;
  }

  void cancelTimer(int id) {
    Timer t = timers.remove(id);
    if (t != null) t.cancel();
  }

  void write(ByteBuffer bytes) {
    byte[] b = new byte[bytes.remaining()];
    bytes.get(b);
    spindle.out().write(b, 0, b.length);
  }

  static double clock() {
    Instant now = Instant.now();
    return now.getEpochSecond() + now.getNano() / 1e9;
  }

  static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b;
  }
}
