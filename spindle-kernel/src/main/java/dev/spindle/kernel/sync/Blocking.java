package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.ParkedWaiter;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The blocking side of the primitives, shared: a plain Java thread waits on a primitive by registering a
 * {@link ParkedWaiter} through the primitive's non-blocking API and parking on it.
 *
 * <p>Timeouts: a timed-out or interrupted wait has cancelled its waiter (so nothing can be handed to it any
 * more) and then unregisters it, in that order.
 */
final class Blocking {
  private Blocking() {}

  /** {@code timeout} in nanoseconds for {@link ParkedWaiter#await}: -1 (no limit) when too long to count. */
  static long nanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout < 0: " + timeout);
    return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? -1 : timeout.toNanos();
  }

  /**
   * Parks on {@code waiter}, already registered, until it is woken, {@code nanos} pass or the thread is
   * interrupted. Returns the delivered value, or {@link ParkedWaiter#TIMED_OUT} after cancelling and
   * unregistering it; on interrupt it is cancelled and unregistered too, and InterruptedException thrown.
   */
  static Object park(ParkedWaiter waiter, long nanos, Consumer<? super Waiter> unregister) throws InterruptedException {
    Object value;
    try {
      value = waiter.await(nanos);
    } catch (InterruptedException e) {
      unregister.accept(waiter);
      throw e;
    }
    if (value == ParkedWaiter.TIMED_OUT) unregister.accept(waiter);
    return value;
  }

  /**
   * The common blocking call: registers a new waiter of the calling thread ({@code register} returns true
   * when it need not wait), then parks on it. True unless the timeout passed.
   */
  static boolean await(Duration timeout, Predicate<? super Waiter> register, Consumer<? super Waiter> unregister)
      throws InterruptedException {
    long nanos = nanos(timeout);
    ParkedWaiter waiter = new ParkedWaiter();
    if (register.test(waiter)) return true;
    return park(waiter, nanos, unregister) != ParkedWaiter.TIMED_OUT;
  }

  /**
   * Like {@link #await} with no timeout, but an interrupt does not end the wait: the thread waits again
   * (at the back of the queue) and its interrupt flag is set again on return. For re-acquiring a lock that
   * must be held again before an exception may leave a condition wait.
   */
  static void awaitUninterruptibly(Predicate<? super Waiter> register, Consumer<? super Waiter> unregister) {
    boolean interrupted = false;
    while (true) {
      try {
        await(Duration.ofNanos(Long.MAX_VALUE), register, unregister);
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the flag is clear now, so the next wait parks
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
