package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A re-entrant lock (Python's {@code threading.RLock}). Its owner is an explicit token passed on every
 * call, compared by identity: a script passes one per coroutine, a Java caller passes
 * {@code Thread.currentThread()}. The owner may acquire it again; it is free once released as many times.
 * Thread-safe; waiters may be parked Java threads or tasks on reactors.
 *
 * <p>Hand-off: when the count drops to zero the lock passes straight to the longest-waiting waiter: its
 * token is the owner, count 1, before it runs (woken with {@code Boolean.TRUE}). While anyone waits the
 * lock is never free, so a newcomer cannot barge in.
 *
 * <p>Timeouts: a waiter that timed out must not take the lock. When the wake of the chosen waiter fails,
 * the lock goes on to the next waiter, or is freed. Until then the owner is the token of the waiter that
 * gave up, so that waiter must be {@linkplain #unregister unregistered} before its token is used on this
 * lock again; unregister takes the lock back from it if the hand-off is still under way.
 */
public final class RLock extends ConditionLock {
  /** Who a queued waiter acquires for, and the count it gets. */
  private record Claim(Object owner, int count) {}

  private final ReentrantLock lock = new ReentrantLock();
  private Object owner; // guarded by lock; null when free
  private int count; // guarded by lock; 0 when free
  private final WaitQueue waiters = new WaitQueue(); // guarded by lock; live waiters only while owned
  private final Map<Waiter, Claim> claims = new IdentityHashMap<>(); // guarded by lock; one per queued waiter
  private Waiter handedTo; // guarded by lock; the waiter the lock was last handed to (its wake may be under way)

  /** Acquires the lock for {@code owner} if it is free or already {@code owner}'s; never waits. */
  public boolean tryAcquire(Object owner) {
    Objects.requireNonNull(owner, "owner");
    lock.lock();
    try {
      return acquireLocked(owner, 1);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Acquires the lock for {@code owner} if it can at once and returns true (the waiter is not queued);
   * otherwise queues {@code waiter}, returns false, and the waiter is woken with {@code Boolean.TRUE} once
   * {@code owner} holds the lock. A waiter that gives up (its cancel succeeded) must be unregistered.
   */
  public boolean register(Waiter waiter, Object owner) {
    return registerRestore(waiter, owner, 1);
  }

  /** Forgets a waiter that gave up; if the lock was being handed to it, passes the lock on. */
  @Override
  public void unregister(Waiter waiter) {
    Waiter next;
    lock.lock();
    try {
      waiters.remove(waiter);
      claims.remove(waiter);
      if (waiter == null || handedTo != waiter) return;
      next = nextHolder(); // it gave up as the lock reached it
    } finally {
      lock.unlock();
    }
    handOff(next);
  }

  /**
   * Blocks the calling Java thread until {@code owner} holds the lock (true) or {@code timeout} passes
   * (false). Interruptible. Must not be called on a reactor thread.
   */
  public boolean acquire(Object owner, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(owner, "owner");
    return Blocking.await(timeout, w -> register(w, owner), this::unregister);
  }

  /**
   * Releases one level of {@code owner}'s hold; at zero the lock passes to the longest-waiting waiter or
   * is freed. Throws IllegalStateException if {@code owner} does not hold it.
   */
  public void release(Object owner) {
    Waiter next;
    lock.lock();
    try {
      checkOwner(owner);
      if (--count > 0) return;
      next = nextHolder();
    } finally {
      lock.unlock();
    }
    handOff(next);
  }

  /** The token that holds the lock now, or null if it is free. */
  public Object owner() {
    lock.lock();
    try {
      return owner;
    } finally {
      lock.unlock();
    }
  }

  /** How many times the owner holds it (0 when free). */
  public int count() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /** Under lock. */
  private void checkOwner(Object owner) {
    if (owner == null || this.owner != owner) throw new IllegalStateException("cannot release un-acquired lock");
  }

  /** Under lock: takes {@code n} more levels for {@code owner} if the lock is free or its. */
  private boolean acquireLocked(Object owner, int n) {
    if (this.owner == owner) {
      if (count > Integer.MAX_VALUE - n) throw new IllegalStateException("RLock count overflow: " + count);
      count += n;
      return true;
    }
    if (this.owner != null) return false;
    this.owner = owner;
    count = n;
    return true;
  }

  /**
   * Under lock, count 0: gives the lock to the longest-waiting waiter's claim and returns that waiter, or
   * frees the lock and returns null.
   */
  private Waiter nextHolder() {
    Waiter next = waiters.takeFirst();
    handedTo = next;
    if (next == null) {
      owner = null;
      count = 0;
      claims.clear(); // only waiters that gave up and were skipped are left; their unregister finds nothing
      return null;
    }
    Claim c = claims.remove(next);
    owner = c.owner();
    count = c.count();
    return next;
  }

  /**
   * Wakes {@code next}, the new owner. If it gave up in the meantime, the lock passes on, unless its
   * {@link #unregister} got there first and passed it on already.
   */
  private void handOff(Waiter next) {
    Waiters.handOff(next, Boolean.TRUE, lock, this, (l, gaveUp) -> l.handedTo == gaveUp ? l.nextHolder() : null);
  }

  @Override
  boolean isHeldBy(Object owner) {
    lock.lock();
    try {
      return owner != null && this.owner == owner;
    } finally {
      lock.unlock();
    }
  }

  @Override
  int releaseAll(Object owner) {
    Waiter next;
    int saved;
    lock.lock();
    try {
      checkOwner(owner);
      saved = count;
      next = nextHolder();
    } finally {
      lock.unlock();
    }
    handOff(next);
    return saved;
  }

  @Override
  boolean registerRestore(Waiter waiter, Object owner, int saved) {
    Objects.requireNonNull(waiter, "waiter");
    Objects.requireNonNull(owner, "owner");
    if (saved < 1) throw new IllegalArgumentException("saved < 1: " + saved);
    lock.lock();
    try {
      if (acquireLocked(owner, saved)) return true;
      waiters.add(waiter);
      claims.put(waiter, new Claim(owner, saved));
      return false;
    } finally {
      lock.unlock();
    }
  }
}
