package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counting semaphore (Python's {@code threading.Semaphore}, and {@code BoundedSemaphore} when bounded).
 * Permits have no owner. Thread-safe; waiters may be parked Java threads or tasks on reactors.
 *
 * <p>Hand-off: {@link #release} passes each permit straight to the longest-waiting waiter (woken with
 * {@code Boolean.TRUE}: it holds the permit). While anyone waits no permit is free, so a newcomer cannot
 * barge in ahead of them.
 *
 * <p>Timeouts: a waiter that timed out must not take a permit. When the wake of the chosen waiter fails,
 * the permit goes on to the next waiter, or back to the free count.
 */
public final class Semaphore {
  private final ReentrantLock lock = new ReentrantLock();
  private final int initial;
  private final boolean bounded;
  private int value; // guarded by lock; free permits, 0 while anyone waits
  private final WaitQueue waiters = new WaitQueue(); // guarded by lock; live waiters only while value is 0

  /**
   * A semaphore with {@code value} free permits. Bounded: a release that would take the free permits above
   * {@code value} is refused.
   */
  public Semaphore(int value, boolean bounded) {
    if (value < 0) throw new IllegalArgumentException("value < 0: " + value);
    this.initial = value;
    this.bounded = bounded;
    this.value = value;
  }

  /** Takes a permit if one is free; never waits. */
  public boolean tryAcquire() {
    lock.lock();
    try {
      return takeIfFree();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a permit if one is free and returns true (the waiter is not queued); otherwise queues {@code
   * waiter}, returns false, and the waiter is woken with {@code Boolean.TRUE} once a permit is its. A
   * waiter that gives up (its cancel succeeded) must be unregistered.
   */
  public boolean register(Waiter waiter) {
    return Waiters.register(lock, waiters, waiter, this, Semaphore::takeIfFree);
  }

  /** Forgets a waiter that gave up. */
  public void unregister(Waiter waiter) {
    Waiters.remove(lock, waiters, waiter);
  }

  /**
   * Blocks the calling Java thread until it holds a permit (true) or {@code timeout} passes (false).
   * Interruptible. Must not be called on a reactor thread.
   */
  public boolean acquire(Duration timeout) throws InterruptedException {
    return Blocking.await(timeout, this::register, this::unregister);
  }

  /** {@code release(1)}. */
  public void release() {
    release(1);
  }

  /**
   * Returns {@code n} permits: each goes to the longest-waiting waiter, the rest become free. Bounded:
   * throws IllegalStateException, changing nothing, if the free permits would exceed the initial value.
   */
  public void release(int n) {
    if (n < 1) throw new IllegalArgumentException("n < 1: " + n);
    List<Waiter> chosen = new ArrayList<>(Math.min(n, 16));
    lock.lock();
    try {
      long after = (long) value + n;
      if (bounded && after > initial) throw new IllegalStateException("Semaphore released too many times");
      if (after > Integer.MAX_VALUE) throw new IllegalStateException("semaphore value > Integer.MAX_VALUE: " + after);
      for (int i = 0; i < n; i++) {
        Waiter w = waiters.takeFirst();
        if (w == null) {
          value += n - i;
          break;
        }
        chosen.add(w);
      }
    } finally {
      lock.unlock();
    }
    for (Waiter w : chosen) Waiters.handOff(w, Boolean.TRUE, lock, this, (s, gaveUp) -> s.nextHolder());
  }

  /** Free permits now. */
  public int available() {
    lock.lock();
    try {
      return value;
    } finally {
      lock.unlock();
    }
  }

  /** Under lock: takes a permit if one is free. */
  private boolean takeIfFree() {
    if (value == 0) return false;
    value--;
    return true;
  }

  /**
   * Under lock, for a permit whose waiter gave up as it was handed over: takes the next waiter for it, or
   * frees the permit when none is left.
   */
  private Waiter nextHolder() {
    Waiter next = waiters.takeFirst();
    // free + held + in transit is the initial value, unless someone released too many times while this
    // permit was in transit: a bounded semaphore drops that surplus
    if (next == null && (!bounded || value < initial)) value++;
    return next;
  }
}
