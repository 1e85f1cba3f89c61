package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.raceHandOffs;
import static dev.spindle.kernel.sync.SyncTesting.registerOnReactor;
import static dev.spindle.kernel.sync.SyncTesting.startParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.ReactorTesting;
import dev.spindle.kernel.sync.SyncTesting.Blocked;
import dev.spindle.kernel.sync.SyncTesting.Seen;
import dev.spindle.kernel.wait.CountingWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LockTest {
  /* ---- tryAcquire, release ---- */

  @Test
  void tryAcquire_free_acquiresThenRefusesTheNext() {
    Lock lock = new Lock();
    assertFalse(lock.isLocked());
    assertTrue(lock.tryAcquire());
    assertTrue(lock.isLocked());
    assertFalse(lock.tryAcquire(), "not re-entrant");
  }

  @Test
  void release_unlocked_throwsIllegalStateException() {
    Lock lock = new Lock();
    IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
    assertEquals("release unlocked lock", e.getMessage());
    lock.tryAcquire();
    lock.release();
    assertThrows(IllegalStateException.class, lock::release);
  }

  @Test
  void release_fromAnotherThread_unlocks() throws Exception {
    Lock lock = new Lock();
    lock.tryAcquire();
    CompletableFuture.runAsync(lock::release).get(5, TimeUnit.SECONDS);
    assertFalse(lock.isLocked());
  }

  /* ---- register, hand-off ---- */

  @Test
  void register_free_acquiresAtOnceWithoutQueueing() {
    Lock lock = new Lock();
    CountingWaiter w = new CountingWaiter();
    assertTrue(lock.register(w));
    assertTrue(lock.isLocked());
    lock.release();
    assertEquals(0, w.wakes.get());
    assertFalse(lock.isLocked());
  }

  @Test
  void register_null_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new Lock().register(null));
  }

  @Test
  void release_withWaiters_handsLockOverInFifoOrder() {
    Lock lock = new Lock();
    lock.tryAcquire();
    List<CountingWaiter> ws = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      CountingWaiter w = new CountingWaiter();
      assertFalse(lock.register(w));
      ws.add(w);
    }
    for (int i = 0; i < 4; i++) {
      lock.release();
      for (int j = 0; j < 4; j++) {
        assertEquals(j <= i ? 1 : 0, ws.get(j).wakes.get(), "after release " + i + ", waiter " + j);
      }
      assertEquals(Boolean.TRUE, ws.get(i).value.get());
      assertTrue(lock.isLocked(), "held by the woken waiter");
    }
    lock.release();
    assertFalse(lock.isLocked());
  }

  @Test
  void release_waiterQueued_newcomerCannotBarge() {
    Lock lock = new Lock();
    lock.tryAcquire();
    CountingWaiter first = new CountingWaiter();
    lock.register(first);
    lock.release();
    assertEquals(1, first.wakes.get());
    assertFalse(lock.tryAcquire(), "the lock went to the waiter, not to whoever asks next");
    CountingWaiter newcomer = new CountingWaiter();
    assertFalse(lock.register(newcomer));
  }

  @Test
  void release_waitersCancelled_skipsThemAndFreesLockWhenNoneLeft() {
    Lock lock = new Lock();
    lock.tryAcquire();
    CountingWaiter gaveUp = new CountingWaiter();
    CountingWaiter next = new CountingWaiter();
    lock.register(gaveUp);
    lock.register(next);
    assertTrue(gaveUp.cancel()); // timed out, not yet unregistered
    lock.release();
    assertEquals(0, gaveUp.wakes.get());
    assertEquals(1, next.wakes.get());
    CountingWaiter last = new CountingWaiter();
    lock.register(last);
    assertTrue(last.cancel());
    lock.release();
    assertFalse(lock.isLocked(), "no live waiter left: free");
  }

  @Test
  void unregister_queuedWaiter_releaseFreesLock() {
    Lock lock = new Lock();
    lock.tryAcquire();
    CountingWaiter w = new CountingWaiter();
    lock.register(w);
    lock.unregister(w);
    lock.release();
    assertEquals(0, w.wakes.get());
    assertFalse(lock.isLocked());
  }

  /* ---- acquire ---- */

  @Test
  void acquire_free_returnsTrueEvenWithZeroTimeout() throws Exception {
    Lock lock = new Lock();
    assertTrue(lock.acquire(Duration.ZERO));
    assertFalse(lock.acquire(Duration.ZERO));
  }

  @Test
  void acquire_heldUntilTimeout_returnsFalseAndLeavesHolder() throws Exception {
    Lock lock = new Lock();
    lock.tryAcquire();
    long t0 = System.nanoTime();
    assertFalse(lock.acquire(Duration.ofMillis(20)));
    assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(20));
    lock.release();
    assertFalse(lock.isLocked(), "the timed-out waiter was not handed the lock");
  }

  @Test
  void acquire_negativeOrNullTimeout_throws() {
    Lock lock = new Lock();
    assertThrows(IllegalArgumentException.class, () -> lock.acquire(Duration.ofNanos(-1)));
    assertThrows(NullPointerException.class, () -> lock.acquire(null));
    assertFalse(lock.isLocked());
  }

  @Test
  void acquire_releasedWhileParked_returnsTrueHoldingLock() throws Exception {
    Lock lock = new Lock();
    lock.tryAcquire();
    Blocked b = startParked("acquirer", () -> lock.acquire(LONG));
    lock.release();
    assertEquals(Boolean.TRUE, b.get());
    assertTrue(lock.isLocked());
  }

  @Test
  void acquire_interruptedWhileParked_throwsAndIsNotHandedLock() throws Exception {
    Lock lock = new Lock();
    lock.tryAcquire();
    Blocked b = startParked("acquirer", () -> lock.acquire(LONG));
    b.thread().interrupt();
    assertTrue(b.get() instanceof InterruptedException);
    lock.release();
    assertFalse(lock.isLocked());
  }

  @Test
  void release_parkedThreadsAndReactorTask_handsOverInRegistrationOrder() throws Exception {
    Reactor reactor = Reactor.start("lock-test");
    try {
      Lock lock = new Lock();
      lock.tryAcquire();
      Blocked first = startParked("first", () -> lock.acquire(LONG));
      CompletableFuture<Seen> task = registerOnReactor(reactor, lock::register);
      Blocked third = startParked("third", () -> lock.acquire(LONG));

      lock.release();
      assertEquals(Boolean.TRUE, first.get());
      ReactorTesting.onLoop(reactor, () -> null); // a wrongly woken task would have run by now
      assertFalse(task.isDone());
      assertFalse(third.result().isDone());

      lock.release(); // any thread may release a Lock
      Seen seen = task.get(5, TimeUnit.SECONDS);
      assertEquals(Boolean.TRUE, seen.value());
      assertSame(ReactorTesting.onLoop(reactor, Thread::currentThread), seen.thread());
      assertFalse(third.result().isDone());

      lock.release();
      assertEquals(Boolean.TRUE, third.get());
      lock.release();
      assertFalse(lock.isLocked());
      assertEquals(0, ReactorTesting.onLoop(reactor, reactor::wakeSources));
    } finally {
      reactor.close();
    }
  }

  /* ---- races ---- */

  @Test
  void release_racingAcquireTimeouts_lockNeitherLostNorShared() throws Exception {
    Lock lock = new Lock();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    raceHandOffs(5_000, r -> {
      assertTrue(lock.tryAcquire(), "round " + r + ": a hand-off was lost, the lock stayed locked");
      inside.incrementAndGet();
    }, () -> {
      inside.decrementAndGet();
      lock.release();
    }, lock::acquire, () -> {
      assertEquals(1, inside.incrementAndGet(), "two holders");
      acquired.incrementAndGet();
      inside.decrementAndGet();
      lock.release();
    }, () -> {});
    assertFalse(lock.isLocked());
    assertTrue(acquired.get() > 0, "no contender ever acquired: the race was not exercised");
  }
}
