package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.awaitParked;
import static dev.spindle.kernel.sync.SyncTesting.awaitParkedOnAnother;
import static dev.spindle.kernel.sync.SyncTesting.inRounds;
import static dev.spindle.kernel.sync.SyncTesting.spinFor;
import static dev.spindle.kernel.sync.SyncTesting.startParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.ReactorTesting;
import dev.spindle.kernel.sync.SyncTesting.Blocked;
import dev.spindle.kernel.wait.CountingWaiter;
import dev.spindle.kernel.wait.ParkedWaiter;
import dev.spindle.kernel.wait.TaskWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConditionTest {
  private static final Object A = "owner-a";
  private static final Object B = "owner-b";

  /* ---- holding the lock ---- */

  @Test
  void await_lockNotHeld_throwsIllegalStateException() {
    Condition onLock = new Condition(new Lock());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> onLock.await(A, LONG));
    assertEquals("cannot wait on un-acquired lock", e.getMessage());
    RLock rlock = new RLock();
    rlock.tryAcquire(B);
    Condition onRLock = new Condition(rlock);
    assertThrows(IllegalStateException.class, () -> onRLock.await(A, LONG), "held by another owner");
    assertThrows(IllegalStateException.class, () -> onRLock.beginWait(new CountingWaiter(), A));
    assertSame(B, rlock.owner());
  }

  @Test
  void notify_lockNotHeld_throwsIllegalStateException() {
    RLock rlock = new RLock();
    Condition c = new Condition(rlock);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.notify(A, 1));
    assertEquals("cannot notify on un-acquired lock", e.getMessage());
    rlock.tryAcquire(B);
    assertThrows(IllegalStateException.class, () -> c.notifyAll(A));
    assertEquals(0, c.notifyAll(B));
    Condition onLock = new Condition(new Lock());
    assertThrows(IllegalStateException.class, () -> onLock.notify(A, 1));
  }

  /* ---- notify ---- */

  /** Queues {@code n} waiters on {@code c} over a plain lock, each wait releasing it. */
  private static List<CountingWaiter> queueWaiters(Lock lock, Condition c, int n) {
    List<CountingWaiter> ws = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      assertTrue(lock.tryAcquire());
      CountingWaiter w = new CountingWaiter();
      assertEquals(1, c.beginWait(w, A));
      assertFalse(lock.isLocked(), "the wait released the lock");
      ws.add(w);
    }
    return ws;
  }

  private static List<Integer> wakes(List<CountingWaiter> ws) {
    return ws.stream().map(w -> w.wakes.get()).toList();
  }

  @Test
  void notify_n_wakesTheLongestWaitingFirst() {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    List<CountingWaiter> ws = queueWaiters(lock, c, 4);
    lock.tryAcquire();
    assertEquals(2, c.notify(A, 2));
    assertEquals(List.of(1, 1, 0, 0), wakes(ws));
    assertEquals(Boolean.TRUE, ws.get(0).value.get());
    assertEquals(0, c.notify(A, 0));
    assertEquals(1, c.notify(A, 1));
    assertEquals(List.of(1, 1, 1, 0), wakes(ws));
  }

  @Test
  void notifyAll_wakesEveryWaiterOnce() {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    List<CountingWaiter> ws = queueWaiters(lock, c, 3);
    lock.tryAcquire();
    assertEquals(3, c.notifyAll(A));
    assertEquals(List.of(1, 1, 1), wakes(ws));
    assertEquals(0, c.notifyAll(A));
    assertEquals(0, c.notify(A, 5));
  }

  @Test
  void notify_cancelledOrUnregisteredWaiters_doNotConsumeIt() {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    List<CountingWaiter> ws = queueWaiters(lock, c, 3);
    assertTrue(ws.get(0).cancel()); // timed out, not yet unregistered
    c.unregister(ws.get(1));
    lock.tryAcquire();
    assertEquals(1, c.notify(A, 1));
    assertEquals(List.of(0, 0, 1), wakes(ws));
  }

  /* ---- two-phase wait (reactor API) ---- */

  @Test
  void reacquire_afterNotify_restoresSavedCountOnceLockIsFree() {
    RLock rlock = new RLock();
    Condition c = new Condition(rlock);
    for (int i = 0; i < 3; i++) rlock.tryAcquire(A);
    CountingWaiter notified = new CountingWaiter();
    int saved = c.beginWait(notified, A);
    assertEquals(3, saved);
    assertNull(rlock.owner(), "released completely");
    rlock.tryAcquire(B);
    c.notify(B, 1);
    assertEquals(1, notified.wakes.get());
    CountingWaiter relocked = new CountingWaiter();
    assertFalse(c.reacquire(relocked, A, saved), "B holds it");
    rlock.release(B);
    assertEquals(1, relocked.wakes.get());
    assertSame(A, rlock.owner());
    assertEquals(3, rlock.count());
  }

  @Test
  void reacquire_lockFree_holdsAtOnce() {
    RLock rlock = new RLock();
    Condition c = new Condition(rlock);
    rlock.tryAcquire(A);
    rlock.tryAcquire(A);
    CountingWaiter w = new CountingWaiter();
    int saved = c.beginWait(w, A);
    assertTrue(w.cancel()); // its timeout
    c.unregister(w);
    assertTrue(c.reacquire(new CountingWaiter(), A, saved));
    assertEquals(2, rlock.count());
  }

  /* ---- await (Java threads) ---- */

  @Test
  void await_notified_returnsTrueOnlyAfterNotifierReleasesWithCountRestored() throws Exception {
    RLock rlock = new RLock();
    Condition c = new Condition(rlock);
    Blocked t = startParked("waiter", () -> {
      Object me = Thread.currentThread();
      rlock.acquire(me, LONG);
      rlock.acquire(me, LONG);
      boolean notified = c.await(me, LONG);
      String held = notified + " " + (rlock.owner() == me) + " " + rlock.count();
      rlock.release(me);
      rlock.release(me);
      return held;
    });
    ParkedWaiter waitingForNotify = awaitParked(t.thread());
    assertNull(rlock.owner());
    rlock.tryAcquire(B);
    assertEquals(1, c.notify(B, 1));
    awaitParkedOnAnother(t.thread(), waitingForNotify); // now waiting for the lock
    assertFalse(t.result().isDone());
    rlock.release(B);
    assertEquals("true true 2", t.get());
    assertNull(rlock.owner());
  }

  @Test
  void await_timedOut_returnsFalseOnlyOnceItHoldsTheLockAgain() throws Exception {
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    Blocked t = startParked("waiter", () -> {
      lock.acquire(LONG);
      boolean notified = c.await(A, Duration.ofMillis(20));
      boolean held = lock.isLocked();
      lock.release();
      return notified + " " + held;
    });
    ParkedWaiter waitingForNotify = awaitParked(t.thread());
    assertTrue(lock.acquire(LONG));
    awaitParkedOnAnother(t.thread(), waitingForNotify); // timed out, now waiting for the lock
    assertFalse(t.result().isDone());
    lock.release();
    assertEquals("false true", t.get());
    assertFalse(lock.isLocked());
  }

  @Test
  void await_interrupted_throwsAfterHoldingTheLockAgain() throws Exception {
    RLock rlock = new RLock();
    Condition c = new Condition(rlock);
    Blocked t = startParked("waiter", () -> {
      Object me = Thread.currentThread();
      rlock.acquire(me, LONG);
      try {
        c.await(me, LONG);
        return "not interrupted";
      } catch (InterruptedException e) {
        return "interrupted, held " + (rlock.owner() == me);
      } finally {
        rlock.release(me);
      }
    });
    ParkedWaiter waitingForNotify = awaitParked(t.thread());
    rlock.tryAcquire(B);
    t.thread().interrupt();
    awaitParkedOnAnother(t.thread(), waitingForNotify);
    rlock.release(B);
    assertEquals("interrupted, held true", t.get());
  }

  @Test
  void notifyAll_parkedThreadAndReactorCoroutine_bothWakeAndReacquireInTurn() throws Exception {
    Reactor reactor = Reactor.start("condition-test");
    try {
      RLock rlock = new RLock();
      Condition c = new Condition(rlock);
      Object coroutine = new Object();
      CompletableFuture<String> onReactor = new CompletableFuture<>();
      // the two phases a scheduler runs for a coroutine: wait for the notify, then for the lock
      ReactorTesting.onLoop(reactor, () -> {
        assertTrue(rlock.tryAcquire(coroutine));
        AtomicInteger saved = new AtomicInteger();
        Runnable holding = () -> {
          String held = (rlock.owner() == coroutine) + " " + rlock.count() + " " + reactor.inLoop();
          rlock.release(coroutine);
          onReactor.complete(held);
        };
        TaskWaiter notified = new TaskWaiter(reactor, v -> {
          TaskWaiter relocked = new TaskWaiter(reactor, v2 -> holding.run());
          if (c.reacquire(relocked, coroutine, saved.get())) {
            relocked.cancel();
            holding.run();
          }
        });
        saved.set(c.beginWait(notified, coroutine));
        return null;
      });
      Blocked thread = startParked("waiter", () -> {
        Object me = Thread.currentThread();
        rlock.acquire(me, LONG);
        boolean notified = c.await(me, LONG);
        String held = notified + " " + (rlock.owner() == me);
        rlock.release(me);
        return held;
      });
      rlock.tryAcquire(B);
      assertEquals(2, c.notifyAll(B));
      rlock.release(B);
      assertEquals("true 1 true", onReactor.get(5, TimeUnit.SECONDS));
      assertEquals("true true", thread.get());
      assertNull(rlock.owner());
      assertEquals(0, ReactorTesting.onLoop(reactor, reactor::wakeSources));
    } finally {
      reactor.close();
    }
  }

  /* ---- races ---- */

  @Test
  void notify_racingWaiterTimeout_goesToTheNextWaiterInstead() throws Exception {
    // thread 1 waits with a short random timeout; behind it waits a waiter that never times out; thread 0
    // notifies one: exactly one of them must get it, whichever way the timeout race goes
    final int rounds = 2_000;
    Lock lock = new Lock();
    Condition c = new Condition(lock);
    AtomicBoolean waiting = new AtomicBoolean();
    boolean[] shortNotified = new boolean[rounds];
    CountingWaiter[] behind = new CountingWaiter[rounds];
    AtomicInteger notifies = new AtomicInteger();
    inRounds(2, rounds, r -> waiting.set(false), (i, r) -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      if (i == 1) {
        assertTrue(lock.acquire(LONG));
        waiting.set(true);
        shortNotified[r] = c.await(A, Duration.ofNanos(rnd.nextLong(100_000)));
        lock.release();
      } else {
        while (!waiting.get()) Thread.onSpinWait();
        assertTrue(lock.acquire(LONG)); // thread 1 has queued itself and released
        behind[r] = new CountingWaiter();
        c.beginWait(behind[r], A);
        spinFor(rnd.nextLong(50_000));
        assertTrue(lock.acquire(LONG));
        notifies.addAndGet(c.notify(A, 1));
        c.unregister(behind[r]);
        lock.release();
      }
    });
    assertEquals(rounds, notifies.get(), "a notify was lost to a waiter that timed out");
    int toShort = 0;
    for (int r = 0; r < rounds; r++) {
      assertTrue(shortNotified[r] ^ behind[r].wakes.get() == 1, "round " + r + ": notified both or neither");
      if (shortNotified[r]) toShort++;
    }
    assertTrue(toShort < rounds, "the waiter behind never got a notify: the race was not exercised");
  }
}
