package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * What the primitives here do alike with a {@link WaitQueue} and the lock that guards it.
 *
 * <p>Hand-off: a primitive that hands a waiter something (the lock, a permit, a notify) chooses the waiter
 * under its lock and wakes it after unlocking. The waiter may have given up in between (its timeout
 * cancelled it): then its wake fails, and the thing must go to the next waiter, not be lost with it
 * ({@link #handOff}).
 */
final class Waiters {
  private Waiters() {}

  /**
   * The register step of every wait: under {@code lock}, if {@code ready} holds for {@code primitive} (it
   * may take what it found: the lock, a permit), returns true and the waiter is not queued; otherwise
   * queues {@code waiter} on {@code queue} and returns false.
   */
  static <P> boolean register(ReentrantLock lock, WaitQueue queue, Waiter waiter, P primitive, Predicate<P> ready) {
    Objects.requireNonNull(waiter, "waiter");
    lock.lock();
    try {
      if (ready.test(primitive)) return true;
      queue.add(waiter);
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Removes a waiter that gave up from {@code queue}, under {@code lock}. */
  static void remove(ReentrantLock lock, WaitQueue queue, Waiter waiter) {
    lock.lock();
    try {
      queue.remove(waiter);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Wakes {@code chosen} (null: none) with {@code value}. While the wake fails, {@code next} runs under
   * {@code lock} with {@code primitive} and the waiter that gave up, and returns the next waiter to try, or
   * null after putting the thing back (free lock, free permit). Returns the waiter that took it, or null.
   */
  static <P> Waiter handOff(
      Waiter chosen, Object value, ReentrantLock lock, P primitive, BiFunction<P, Waiter, Waiter> next) {
    Waiter w = chosen;
    while (w != null && !w.wake(value)) {
      lock.lock();
      try {
        w = next.apply(primitive, w);
      } finally {
        lock.unlock();
      }
    }
    return w;
  }

  /** Wakes every waiter in {@code waiters} with {@code value}; returns how many wakes succeeded. */
  static int wakeAll(List<Waiter> waiters, Object value) {
    int woken = 0;
    for (Waiter w : waiters) {
      if (w.wake(value)) woken++;
    }
    return woken;
  }
}
