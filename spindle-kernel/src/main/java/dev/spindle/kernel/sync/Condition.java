package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.ParkedWaiter;
import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A condition variable over a {@link Lock} or an {@link RLock} (Python's {@code threading.Condition}).
 * Every call names the caller's owner token, as on RLock (with a plain Lock it is not checked: holding
 * means the lock is locked). Thread-safe; waiters may be parked Java threads or tasks on reactors.
 *
 * <p>Waiting: the caller must hold the lock. A wait queues the waiter, then releases the lock completely
 * (an RLock's count is saved); once notified or timed out, the waiter re-acquires the lock with the count
 * restored before the wait returns, so it returns only after the notifier released the lock. From a
 * reactor this takes two waiters: {@link #beginWait} (queue and release), then, after the first waiter was
 * woken or gave up, {@link #reacquire}. A Java thread calls {@link #await}.
 *
 * <p>Wakeups: {@link #notify(Object, int)} wakes the longest-waiting waiters (FIFO) with
 * {@code Boolean.TRUE}; {@link #notifyAll(Object)} wakes every waiter queued at that moment.
 *
 * <p>Timeouts: a waiter that timed out does not consume a notify: when the chosen waiter's wake fails, the
 * notify goes to the next waiter. A timed-out wait still re-acquires the lock before it returns.
 *
 * <p>Note: {@code notify()} and {@code notifyAll()} without arguments are Object's monitor methods, not
 * these.
 */
public final class Condition {
  private final ConditionLock userLock;
  private final ReentrantLock lock = new ReentrantLock();
  private final WaitQueue waiters = new WaitQueue(); // guarded by lock

  /** A condition over a plain lock. */
  public Condition(Lock lock) {
    this((ConditionLock) lock);
  }

  /** A condition over a re-entrant lock. */
  public Condition(RLock lock) {
    this((ConditionLock) lock);
  }

  private Condition(ConditionLock userLock) {
    this.userLock = Objects.requireNonNull(userLock, "lock");
  }

  /**
   * First half of a wait from a reactor: queues {@code waiter} for a notify, then releases the lock
   * completely. Returns the hold to pass to {@link #reacquire}. Throws IllegalStateException if
   * {@code owner} does not hold the lock. The waiter is woken with {@code Boolean.TRUE} by a notify; one
   * that gives up (its cancel succeeded) must be unregistered. Either way the caller then re-acquires.
   */
  public int beginWait(Waiter waiter, Object owner) {
    Objects.requireNonNull(waiter, "waiter");
    if (!userLock.isHeldBy(owner)) throw new IllegalStateException("cannot wait on un-acquired lock");
    lock.lock();
    try {
      waiters.add(waiter); // before the release: a notify that follows the release must find it
    } finally {
      lock.unlock();
    }
    try {
      return userLock.releaseAll(owner);
    } catch (RuntimeException e) { // a plain Lock released by someone else meanwhile
      unregister(waiter);
      throw e;
    }
  }

  /**
   * Second half: re-acquires the lock for {@code owner} with the hold {@code saved} from {@link
   * #beginWait}, through a new waiter. True if acquired at once (the waiter is not queued); otherwise the
   * waiter is woken with {@code Boolean.TRUE} once the lock is held again, count restored. No timeout, as
   * in Python; a waiter that gives up anyway must be unregistered.
   */
  public boolean reacquire(Waiter waiter, Object owner, int saved) {
    return userLock.registerRestore(waiter, owner, saved);
  }

  /** Forgets a waiter that gave up, in either half of a wait. */
  public void unregister(Waiter waiter) {
    Waiters.remove(lock, waiters, waiter);
    userLock.unregister(waiter);
  }

  /**
   * Blocks the calling Java thread, which must hold the lock for {@code owner}, until notified (true) or
   * {@code timeout} passes (false); either way it holds the lock again, count restored, when this returns.
   * An interrupt ends the wait with InterruptedException, also after re-acquiring. Must not be called on
   * a reactor thread.
   */
  public boolean await(Object owner, Duration timeout) throws InterruptedException {
    long nanos = Blocking.nanos(timeout);
    ParkedWaiter waiter = new ParkedWaiter();
    int saved = beginWait(waiter, owner);
    Object value;
    try {
      value = Blocking.park(waiter, nanos, this::unregister);
    } finally {
      Blocking.awaitUninterruptibly(w -> reacquire(w, owner, saved), this::unregister);
    }
    return value != ParkedWaiter.TIMED_OUT;
  }

  /**
   * Wakes up to {@code n} waiters, longest-waiting first; returns how many were woken. Throws
   * IllegalStateException if {@code owner} does not hold the lock.
   */
  public int notify(Object owner, int n) {
    if (n < 0) throw new IllegalArgumentException("n < 0: " + n);
    checkHeld(owner);
    List<Waiter> chosen = new ArrayList<>(Math.min(n, 16));
    lock.lock();
    try {
      for (Waiter w; chosen.size() < n && (w = waiters.takeFirst()) != null; ) chosen.add(w);
    } finally {
      lock.unlock();
    }
    int woken = 0;
    for (Waiter w : chosen) {
      // a waiter that timed out does not consume the notify: it goes to the next waiter
      if (Waiters.handOff(w, Boolean.TRUE, lock, this, (c, gaveUp) -> c.waiters.takeFirst()) != null) woken++;
    }
    return woken;
  }

  /**
   * Wakes every waiter queued now; returns how many were woken. Throws IllegalStateException if {@code
   * owner} does not hold the lock.
   */
  public int notifyAll(Object owner) {
    checkHeld(owner);
    List<Waiter> all;
    lock.lock();
    try {
      all = waiters.takeAll();
    } finally {
      lock.unlock();
    }
    return Waiters.wakeAll(all, Boolean.TRUE);
  }

  private void checkHeld(Object owner) {
    if (!userLock.isHeldBy(owner)) throw new IllegalStateException("cannot notify on un-acquired lock");
  }
}
