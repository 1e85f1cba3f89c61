package dev.spindle.kernel.reactor;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Test helper: runs code on a reactor's thread and waits for its result. */
public final class ReactorTesting {
  private ReactorTesting() {}

  /** Runs {@code body} on {@code r}'s thread and returns its result, rethrowing what it threw. */
  public static <T> T onLoop(Reactor r, Callable<T> body) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    boolean accepted = r.execute(() -> {
      try {
        f.complete(body.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    if (!accepted) throw new IllegalStateException("reactor closed: task not accepted");
    try {
      return f.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Error err) throw err;
      throw (Exception) c;
    }
  }
}
