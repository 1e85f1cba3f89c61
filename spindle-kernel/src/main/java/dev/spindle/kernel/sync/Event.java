package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A flag that threads wait on until it is set (Python's {@code threading.Event}). Thread-safe; waiters
 * may be parked Java threads or tasks on reactors.
 *
 * <p>Wakeups: {@link #set} wakes every waiter queued at that moment, whether or not the flag is cleared
 * again before they run: a waiter is woken by the set it waited for.
 */
public final class Event {
  private final ReentrantLock lock = new ReentrantLock();
  private boolean set; // guarded by lock
  private final WaitQueue waiters = new WaitQueue(); // guarded by lock

  /** Sets the flag and wakes all waiters with {@code true}. */
  public void set() {
    List<Waiter> woken;
    lock.lock();
    try {
      set = true;
      woken = waiters.takeAll();
    } finally {
      lock.unlock();
    }
    Waiters.wakeAll(woken, Boolean.TRUE);
  }

  /** Clears the flag. */
  public void clear() {
    lock.lock();
    try {
      set = false;
    } finally {
      lock.unlock();
    }
  }

  /** The flag now. */
  public boolean isSet() {
    lock.lock();
    try {
      return set;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers {@code waiter} unless the flag is already set. Returns true if the flag was set (the waiter
   * was not queued and the caller need not wait), false if the waiter will be woken by the next set.
   */
  public boolean register(Waiter waiter) {
    return Waiters.register(lock, waiters, waiter, this, e -> e.set);
  }

  /** Forgets a waiter that gave up. */
  public void unregister(Waiter waiter) {
    Waiters.remove(lock, waiters, waiter);
  }

  /**
   * Blocks the calling Java thread until the flag is set or {@code timeout} passes; returns the flag
   * (false only on timeout). Must not be called on a reactor thread.
   */
  public boolean await(Duration timeout) throws InterruptedException {
    return Blocking.await(timeout, this::register, this::unregister);
  }
}
