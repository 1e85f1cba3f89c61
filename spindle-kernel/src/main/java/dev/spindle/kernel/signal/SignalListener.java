package dev.spindle.kernel.signal;

import dev.spindle.kernel.wait.Awaitable;
import java.time.Duration;

/**
 * Receives the signals it listens for, from the OS or raised in-process ({@link SignalHub#raise}), and
 * keeps them until taken. Every delivery counts: two deliveries of one signal are taken twice (POSIX would
 * merge them while pending). {@link #poll} takes the lowest-numbered pending signal first, as Linux does.
 *
 * <p>Waiters registered through {@link #register} are woken when a signal is pending; a coroutine waits
 * this way with a {@link dev.spindle.kernel.wait.TaskWaiter}, a Java thread with {@link #take}.
 *
 * <p>Concurrency: thread-safe. Made by {@link SignalHub.Scope#listen}.
 */
public final class SignalListener extends Awaitable implements AutoCloseable {
  private final SignalHub.Scope scope;
  private final long mask; // bit (sig - 1) for each signal listened for
  private final long[] counts = new long[SignalHub.MAX + 1]; // guarded by lock: pending deliveries by signal
  private long total; // guarded by lock

  SignalListener(SignalHub.Scope scope, long mask) {
    this.scope = scope;
    this.mask = mask;
  }

  boolean listensFor(int sig) {
    return (mask & SignalHub.bit(sig)) != 0;
  }

  long mask() {
    return mask;
  }

  /** Adds {@code n} deliveries of {@code sig}. Any thread; nothing once closed. */
  void deliver(int sig, long n) {
    if (n > 0) {
      produce(() -> {
        counts[sig] += n;
        total += n;
      });
    }
  }

  @Override
  protected boolean hasItem() {
    return total > 0;
  }

  /** Takes one pending signal: the lowest-numbered; 0 when none is pending. */
  public int poll() {
    lock.lock();
    try {
      if (total == 0) return 0;
      for (int sig = 1; sig <= SignalHub.MAX; sig++) {
        if (counts[sig] > 0) {
          counts[sig]--;
          total--;
          return sig;
        }
      }
      throw new IllegalStateException("pending total " + total + " with no pending signal");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes one pending signal, parking the calling Java thread up to {@code timeout} (null: no limit) for
   * one to arrive. Returns 0 on timeout or once closed.
   */
  public int take(Duration timeout) throws InterruptedException {
    long nanos = timeout == null ? -1 : Math.max(0, timeout.toNanos());
    long deadline = System.nanoTime() + nanos;
    while (true) {
      int sig = poll();
      if (sig != 0 || isClosed()) return sig;
      long left = nanos < 0 ? -1 : deadline - System.nanoTime();
      if (nanos >= 0 && left <= 0) return 0;
      awaitItem(left);
    }
  }

  /** Stops listening: later deliveries pass it by and its waiters wake. Idempotent. */
  @Override
  public void close() {
    if (markClosed()) scope.forget(this);
  }
}
