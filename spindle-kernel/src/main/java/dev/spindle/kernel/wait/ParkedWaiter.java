package dev.spindle.kernel.wait;

import java.util.concurrent.locks.LockSupport;

/**
 * A waiter that is a plain Java thread: {@link #await} parks the thread that created it until it is woken
 * or its timeout passes. One use only.
 */
public final class ParkedWaiter extends Waiter {
  /** What {@link #await} returns when the timeout passed first. */
  public static final Object TIMED_OUT = new Object() {
    @Override
    public String toString() {
      return "TIMED_OUT";
    }
  };

  private static final Object NULL = new Object(); // stands for a delivered null

  private final Thread thread = Thread.currentThread();
  private volatile Object value; // null until written once by the waker, before the unpark

  @Override
  protected void onWake(Object value) {
    this.value = value == null ? NULL : value;
    LockSupport.unpark(thread);
  }

  /**
   * Parks until woken, then returns the delivered value; or returns {@link #TIMED_OUT} after {@code
   * timeoutNanos} (negative: no timeout). Throws InterruptedException, cancelling the wait, when the thread
   * is interrupted first.
   */
  public Object await(long timeoutNanos) throws InterruptedException {
    if (Thread.currentThread() != thread) throw new IllegalStateException("await from a thread that is not the waiter's");
    long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
    while (isWaiting()) {
      if (Thread.interrupted()) {
        if (cancel()) throw new InterruptedException();
        Thread.currentThread().interrupt(); // woken meanwhile: keep the value, keep the flag
        break;
      }
      if (timeoutNanos < 0) {
        LockSupport.park(this);
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          if (cancel()) return TIMED_OUT;
          break;
        }
        LockSupport.parkNanos(this, left);
      }
    }
    // woken: the value may be published just after the state flipped
    Object v;
    while ((v = value) == null) Thread.onSpinWait();
    return v == NULL ? null : v;
  }
}
