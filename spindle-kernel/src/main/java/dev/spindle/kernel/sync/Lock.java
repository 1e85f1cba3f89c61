package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock with no owner (Python's {@code threading.Lock}): whoever holds it, any thread or coroutine may
 * release it. Not re-entrant. Thread-safe; waiters may be parked Java threads or tasks on reactors.
 *
 * <p>Hand-off: {@link #release} passes the lock straight to the longest-waiting waiter, which holds it
 * before it runs (woken with {@code Boolean.TRUE}). While anyone waits the lock is never free, so a
 * newcomer cannot barge in ahead of them.
 *
 * <p>Timeouts: a waiter that timed out must not take the lock. When the wake of the chosen waiter fails
 * (it was cancelled after it was chosen), the lock goes on to the next waiter, or is freed.
 */
public final class Lock extends ConditionLock {
  private final ReentrantLock lock = new ReentrantLock();
  private boolean locked; // guarded by lock; stays true while the lock passes from waiter to waiter
  private final WaitQueue waiters = new WaitQueue(); // guarded by lock; live waiters only while locked

  /** Acquires the lock if it is free; never waits. */
  public boolean tryAcquire() {
    lock.lock();
    try {
      return takeIfFree();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Acquires the lock if it is free and returns true (the waiter is not queued); otherwise queues
   * {@code waiter}, returns false, and the waiter is woken with {@code Boolean.TRUE} once the lock is its.
   * A waiter that gives up (its cancel succeeded) must be unregistered.
   */
  public boolean register(Waiter waiter) {
    return Waiters.register(lock, waiters, waiter, this, Lock::takeIfFree);
  }

  /** Forgets a waiter that gave up. */
  @Override
  public void unregister(Waiter waiter) {
    Waiters.remove(lock, waiters, waiter);
  }

  /**
   * Blocks the calling Java thread until it holds the lock (true) or {@code timeout} passes (false).
   * Interruptible. Must not be called on a reactor thread.
   */
  public boolean acquire(Duration timeout) throws InterruptedException {
    return Blocking.await(timeout, this::register, this::unregister);
  }

  /**
   * Releases the lock, handing it to the longest-waiting waiter if there is one. Throws
   * IllegalStateException if it is not locked.
   */
  public void release() {
    Waiter next;
    lock.lock();
    try {
      if (!locked) throw new IllegalStateException("release unlocked lock");
      next = nextHolder();
    } finally {
      lock.unlock();
    }
    // a waiter that gave up as the lock reached it must not keep it: the lock passes on
    Waiters.handOff(next, Boolean.TRUE, lock, this, (l, gaveUp) -> l.nextHolder());
  }

  /** Whether anyone holds the lock now (or it is being handed over). */
  public boolean isLocked() {
    lock.lock();
    try {
      return locked;
    } finally {
      lock.unlock();
    }
  }

  /** Under lock: locks it if it is free. */
  private boolean takeIfFree() {
    if (locked) return false;
    locked = true;
    return true;
  }

  /** Under lock: takes the waiter the lock passes to, or frees the lock when none is left. */
  private Waiter nextHolder() {
    Waiter next = waiters.takeFirst();
    if (next == null) locked = false;
    return next;
  }

  @Override
  boolean isHeldBy(Object owner) {
    return isLocked();
  }

  @Override
  int releaseAll(Object owner) {
    release();
    return 1;
  }

  @Override
  boolean registerRestore(Waiter waiter, Object owner, int saved) {
    return register(waiter);
  }
}
