package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.Waiter;

/**
 * What a {@link Condition} needs from its lock ({@link Lock} or {@link RLock}): whether the caller holds
 * it, releasing it completely for the wait, and re-acquiring it afterwards with the hold restored. Python
 * calls these {@code _is_owned}, {@code _release_save} and {@code _acquire_restore}.
 */
abstract sealed class ConditionLock permits Lock, RLock {
  /** True if {@code owner} holds the lock (a plain Lock has no owner: true if it is locked at all). */
  abstract boolean isHeldBy(Object owner);

  /** Releases the lock completely for {@code owner}; returns the hold to restore (RLock: its count). */
  abstract int releaseAll(Object owner);

  /**
   * Acquires the lock for {@code owner} with the hold {@code saved} returned by {@link #releaseAll}, like
   * the lock's own {@code register}: true if acquired at once, else {@code waiter} is queued and woken with
   * {@code Boolean.TRUE} once the lock is its, hold restored.
   */
  abstract boolean registerRestore(Waiter waiter, Object owner, int saved);

  /** Forgets a waiter that gave up (after its cancel succeeded). */
  abstract void unregister(Waiter waiter);
}
