package dev.spindle.kernel.wait;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The FIFO of waiters that every blocking primitive keeps.
 *
 * <p>Concurrency: not thread-safe by itself; it is guarded by its primitive's lock, so that a state change
 * and the choice of waiters to wake are one atomic step. Waking happens after that lock is released
 * ({@link #takeFirst}, {@link #takeAll} hand the chosen waiters out): no lock is held across a wakeup, which
 * may run arbitrary code.
 *
 * <p>Waiters that were cancelled (timed out) stay in the deque until they reach the front or are removed
 * with {@link #remove}; {@link #takeFirst} skips them, so they never consume a signal.
 */
public final class WaitQueue {
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by the owning primitive's lock

  /** Appends a waiter at the back. */
  public void add(Waiter waiter) {
    waiters.addLast(waiter);
  }

  /** Removes a waiter that gave up (after its cancel succeeded), so it does not linger. */
  public void remove(Waiter waiter) {
    waiters.removeFirstOccurrence(waiter);
  }

  /** Takes the longest-waiting live waiter, or null if none is left. The caller wakes it after unlocking. */
  public Waiter takeFirst() {
    Waiter w;
    while ((w = waiters.pollFirst()) != null) {
      if (w.isWaiting()) return w;
    }
    return null;
  }

  /** Takes every live waiter, oldest first. The caller wakes them after unlocking. */
  public List<Waiter> takeAll() {
    List<Waiter> all = new ArrayList<>(waiters.size());
    for (Waiter w : waiters) {
      if (w.isWaiting()) all.add(w);
    }
    waiters.clear();
    return all;
  }

  /** Number of waiters queued, including cancelled ones not yet skipped. */
  public int size() {
    return waiters.size();
  }
}
