package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.raceHandOffs;
import static dev.spindle.kernel.sync.SyncTesting.registerOnReactor;
import static dev.spindle.kernel.sync.SyncTesting.startParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.sync.SyncTesting.Blocked;
import dev.spindle.kernel.sync.SyncTesting.Seen;
import dev.spindle.kernel.wait.CountingWaiter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RLockTest {
  private static final Object A = "owner-a";
  private static final Object B = "owner-b";

  /* ---- re-entrance and owners ---- */

  @Test
  void tryAcquire_sameOwnerAgain_countsUpAndNeedsAsManyReleases() {
    RLock lock = new RLock();
    assertNull(lock.owner());
    assertEquals(0, lock.count());
    assertTrue(lock.tryAcquire(A));
    assertTrue(lock.tryAcquire(A));
    assertTrue(lock.tryAcquire(A));
    assertSame(A, lock.owner());
    assertEquals(3, lock.count());
    lock.release(A);
    lock.release(A);
    assertSame(A, lock.owner());
    assertEquals(1, lock.count());
    lock.release(A);
    assertNull(lock.owner());
    assertEquals(0, lock.count());
  }

  @Test
  void tryAcquire_otherOwnerWhileHeld_false() {
    RLock lock = new RLock();
    lock.tryAcquire(A);
    assertFalse(lock.tryAcquire(B));
    assertFalse(lock.tryAcquire(new String("owner-a")), "owners are compared by identity");
    lock.release(A);
    assertTrue(lock.tryAcquire(B));
  }

  @Test
  void release_byNonOwner_throwsAndChangesNothing() {
    RLock lock = new RLock();
    IllegalStateException free = assertThrows(IllegalStateException.class, () -> lock.release(A));
    assertEquals("cannot release un-acquired lock", free.getMessage());
    lock.tryAcquire(A);
    IllegalStateException other = assertThrows(IllegalStateException.class, () -> lock.release(B));
    assertEquals("cannot release un-acquired lock", other.getMessage());
    assertThrows(IllegalStateException.class, () -> lock.release(null));
    assertSame(A, lock.owner());
    assertEquals(1, lock.count());
  }

  @Test
  void tryAcquire_nullOwner_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new RLock().tryAcquire(null));
    assertThrows(NullPointerException.class, () -> new RLock().register(new CountingWaiter(), null));
  }

  /* ---- hand-off ---- */

  @Test
  void release_toZeroWithWaiter_makesWaiterOwnerBeforeItRuns() {
    RLock lock = new RLock();
    lock.tryAcquire(A);
    lock.tryAcquire(A);
    CountingWaiter w = new CountingWaiter();
    assertFalse(lock.register(w, B));
    lock.release(A);
    assertEquals(0, w.wakes.get(), "still held once by A");
    lock.release(A);
    assertEquals(1, w.wakes.get());
    assertEquals(Boolean.TRUE, w.value.get());
    assertSame(B, lock.owner());
    assertEquals(1, lock.count());
    assertFalse(lock.tryAcquire(A), "no barging");
    assertTrue(lock.tryAcquire(B), "the new owner re-enters");
  }

  @Test
  void release_severalWaiters_fifoAndOwnerFollows() {
    RLock lock = new RLock();
    lock.tryAcquire(A);
    Object[] owners = {"w0", "w1", "w2"};
    CountingWaiter[] ws = new CountingWaiter[owners.length];
    for (int i = 0; i < owners.length; i++) {
      ws[i] = new CountingWaiter();
      lock.register(ws[i], owners[i]);
    }
    Object holder = A;
    for (int i = 0; i < owners.length; i++) {
      lock.release(holder);
      assertEquals(1, ws[i].wakes.get());
      if (i + 1 < owners.length) assertEquals(0, ws[i + 1].wakes.get());
      assertSame(owners[i], lock.owner());
      holder = owners[i];
    }
    lock.release(holder);
    assertNull(lock.owner());
  }

  @Test
  void release_cancelledWaiterNotYetUnregistered_skipsItAndItsUnregisterChangesNothing() {
    RLock lock = new RLock();
    lock.tryAcquire(A);
    CountingWaiter gaveUp = new CountingWaiter();
    CountingWaiter next = new CountingWaiter();
    lock.register(gaveUp, B);
    lock.register(next, "next");
    assertTrue(gaveUp.cancel());
    lock.release(A); // skips the cancelled waiter
    assertSame("next", lock.owner());
    assertEquals(1, next.wakes.get());
    lock.unregister(gaveUp); // nothing left to undo
    assertSame("next", lock.owner());
  }

  /* ---- acquire ---- */

  @Test
  void acquire_heldByOtherUntilTimeout_returnsFalse() throws Exception {
    RLock lock = new RLock();
    lock.tryAcquire(A);
    assertFalse(lock.acquire(B, Duration.ofMillis(10)));
    assertSame(A, lock.owner());
    lock.release(A);
    assertNull(lock.owner(), "the timed-out waiter was not handed the lock");
  }

  @Test
  void acquire_releasedWhileParked_threadOwnsIt() throws Exception {
    RLock lock = new RLock();
    lock.tryAcquire(A);
    Blocked b = startParked("acquirer", () -> lock.acquire(Thread.currentThread(), LONG));
    lock.release(A);
    assertEquals(Boolean.TRUE, b.get());
    assertSame(b.thread(), lock.owner());
  }

  @Test
  void release_parkedThreadAndReactorTask_handOverInOrder() throws Exception {
    Reactor reactor = Reactor.start("rlock-test");
    try {
      RLock lock = new RLock();
      lock.tryAcquire(A);
      Object task = "task";
      CompletableFuture<Seen> onReactor = registerOnReactor(reactor, w -> lock.register(w, task));
      Blocked thread = startParked("acquirer", () -> lock.acquire(Thread.currentThread(), LONG));
      lock.release(A);
      assertEquals(Boolean.TRUE, onReactor.get(5, TimeUnit.SECONDS).value());
      assertSame(task, lock.owner());
      assertFalse(thread.result().isDone());
      lock.release(task);
      assertEquals(Boolean.TRUE, thread.get());
      assertSame(thread.thread(), lock.owner());
    } finally {
      reactor.close();
    }
  }

  /* ---- races ---- */

  @Test
  void acquire_timeoutsRacingHandOff_timedOutOwnerNeverHoldsAndLockNeverLost() throws Exception {
    RLock lock = new RLock();
    Object holder = new Object();
    AtomicInteger inside = new AtomicInteger();
    raceHandOffs(5_000, r -> assertTrue(lock.tryAcquire(holder), "round " + r + ": a hand-off was lost"), () -> {
      lock.release(holder);
    }, timeout -> lock.acquire(Thread.currentThread(), timeout), () -> {
      assertEquals(1, inside.incrementAndGet(), "two holders");
      assertSame(Thread.currentThread(), lock.owner());
      inside.decrementAndGet();
      lock.release(Thread.currentThread());
    }, () -> {
      // it timed out: the lock must not be its, not even while being handed on
      assertNotSame(Thread.currentThread(), lock.owner(), "a timed-out owner holds the lock");
    });
    assertNull(lock.owner());
  }
}
