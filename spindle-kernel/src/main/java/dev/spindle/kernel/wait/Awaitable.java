package dev.spindle.kernel.wait;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A source of items that waiters wait on until one is ready or the source closes: a signal listener with
 * a pending signal, a directory watch with a change. Subclasses keep their items under {@link #lock},
 * say whether one is there ({@link #hasItem}) and change them through {@link #produce}, which wakes the
 * waiters.
 *
 * <p>Wakeups: every queued waiter is woken with {@code Boolean.TRUE} once an item is ready, or with {@code
 * Boolean.FALSE} when the source closes. Readiness is advisory: several consumers may be woken for one
 * item, so a woken consumer takes what is there and waits again if it found nothing.
 *
 * <p>Concurrency: thread-safe. No lock is held while a waiter is woken.
 */
public abstract class Awaitable {
  /** Guards the subclass's items, the waiter queue and the closed flag. */
  protected final ReentrantLock lock = new ReentrantLock();

  private final WaitQueue waiters = new WaitQueue(); // guarded by lock
  private volatile boolean closed; // written under lock

  /** True when an item is ready. Called with {@link #lock} held. */
  protected abstract boolean hasItem();

  /** True when an item is ready now. */
  public final boolean ready() {
    lock.lock();
    try {
      return hasItem();
    } finally {
      lock.unlock();
    }
  }

  /** True once closed. */
  public final boolean isClosed() {
    return closed;
  }

  /**
   * Queues {@code waiter} to be woken when an item is ready or the source closes. Returns true, queuing
   * nothing, when that is already the case: the caller need not wait.
   */
  public final boolean register(Waiter waiter) {
    lock.lock();
    try {
      if (closed || hasItem()) return true;
      waiters.add(waiter);
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a waiter that gave up (after its cancel succeeded), so that it does not linger. */
  public final void unregister(Waiter waiter) {
    lock.lock();
    try {
      waiters.remove(waiter);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code change} under the lock, then wakes every waiter if an item is ready. Returns false, running
   * nothing, once the source is closed.
   */
  protected final boolean produce(Runnable change) {
    List<Waiter> woken;
    lock.lock();
    try {
      if (closed) return false;
      change.run();
      woken = hasItem() ? waiters.takeAll() : List.of();
    } finally {
      lock.unlock();
    }
    for (Waiter w : woken) w.wake(Boolean.TRUE);
    return true;
  }

  /** Closes the source and wakes every waiter with false. Returns false if it was closed already. */
  protected final boolean markClosed() {
    List<Waiter> woken;
    lock.lock();
    try {
      if (closed) return false;
      closed = true;
      woken = waiters.takeAll();
    } finally {
      lock.unlock();
    }
    for (Waiter w : woken) w.wake(Boolean.FALSE);
    return true;
  }

  /**
   * Parks the calling Java thread until an item is ready, the source closes or {@code timeoutNanos} pass
   * (negative: no limit). The caller then looks again: the item may have been taken meanwhile.
   */
  protected final void awaitItem(long timeoutNanos) throws InterruptedException {
    ParkedWaiter w = new ParkedWaiter();
    if (register(w)) return;
    if (w.await(timeoutNanos) == ParkedWaiter.TIMED_OUT) unregister(w);
  }
}
