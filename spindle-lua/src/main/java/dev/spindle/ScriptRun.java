package dev.spindle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A script running on its own reactor. Thread-safe. The result completes once the main thread of the
 * script has ended (its leftover workers are stopped then), normally with a {@link ScriptResult}, or
 * exceptionally with a {@link ScriptException} ({@link DeadlockException} on deadlock).
 *
 * <p>Dependent actions attached to {@link #result()} may run on the script's reactor thread after its Lua
 * state is closed; they must not block for long.
 */
public final class ScriptRun {
  private final LuaHost host;

  ScriptRun(LuaHost host) {
    this.host = host;
  }

  /** The script's handle: positive, unique in the process, never reused ({@code script.handle()}). */
  public long handle() {
    return host.handle();
  }

  /** The outcome, as a future. */
  public CompletableFuture<ScriptResult> result() {
    return host.result();
  }

  /** Waits for the outcome; throws the run's {@link ScriptException} if it failed. */
  public ScriptResult join() {
    try {
      return host.result().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ScriptException se) throw se;
      throw e;
    }
  }

  /** Stops the run if it is still going: it fails with a ScriptException saying it was stopped. */
  public void stop() {
    host.stop("stopped");
  }
}
