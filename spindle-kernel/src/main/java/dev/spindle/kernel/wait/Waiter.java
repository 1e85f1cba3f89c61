package dev.spindle.kernel.wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One party waiting for one event: a task on a reactor ({@link TaskWaiter}) or a parked Java thread
 * ({@link ParkedWaiter}). Every blocking primitive keeps its waiters in a {@link WaitQueue} and wakes them
 * through this class, so a primitive serves scripts and Java callers with one implementation.
 *
 * <p>Wakeups: a waiter ends exactly once, either woken (by the event it waits for) or cancelled (by its
 * timeout or its owner). The two race through one CAS on {@code state}; the loser learns it lost. A
 * primitive that hands something over (a permit, an item, a lock) must check the result of {@link #wake}
 * and offer the thing to the next waiter when it returns false: a waiter that timed out must not consume a
 * signal.
 */
public abstract class Waiter {
  private static final int WAITING = 0, WOKEN = 1, CANCELLED = 2;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state; // WAITING -> WOKEN | CANCELLED, once, by CAS from any thread

  /**
   * Delivers {@code value} if this waiter is still waiting. Any thread. Returns false if it had already
   * been woken or cancelled, in which case nothing is delivered.
   */
  public final boolean wake(Object value) {
    if (!STATE.compareAndSet(this, WAITING, WOKEN)) return false;
    onWake(value);
    return true;
  }

  /** Gives up waiting. Any thread. Returns false if a wake got there first. */
  public final boolean cancel() {
    if (!STATE.compareAndSet(this, WAITING, CANCELLED)) return false;
    onCancel();
    return true;
  }

  /** True until woken or cancelled. */
  public final boolean isWaiting() {
    return (int) STATE.getVolatile(this) == WAITING;
  }

  /** Called once, on the waking thread, with no lock of the primitive held. */
  protected abstract void onWake(Object value);

  /** Called once, on the cancelling thread. */
  protected void onCancel() {}
}
