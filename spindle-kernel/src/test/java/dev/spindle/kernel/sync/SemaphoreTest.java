package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.raceHandOffs;
import static dev.spindle.kernel.sync.SyncTesting.race;
import static dev.spindle.kernel.sync.SyncTesting.registerOnReactor;
import static dev.spindle.kernel.sync.SyncTesting.spinFor;
import static dev.spindle.kernel.sync.SyncTesting.startParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.sync.SyncTesting.Blocked;
import dev.spindle.kernel.sync.SyncTesting.Seen;
import dev.spindle.kernel.wait.CountingWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SemaphoreTest {
  /* ---- counting ---- */

  @Test
  void tryAcquire_takesPermitsUntilNoneLeft() {
    Semaphore s = new Semaphore(2, false);
    assertTrue(s.tryAcquire());
    assertTrue(s.tryAcquire());
    assertFalse(s.tryAcquire());
    assertEquals(0, s.available());
    s.release();
    assertEquals(1, s.available());
  }

  @Test
  void constructor_negativeValue_throwsIllegalArgumentException() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1, false));
    assertEquals("value < 0: -1", e.getMessage());
    assertEquals(0, new Semaphore(0, true).available());
  }

  @Test
  void release_unbounded_mayGoAboveInitialValue() {
    Semaphore s = new Semaphore(1, false);
    s.release(3);
    assertEquals(4, s.available());
  }

  @Test
  void release_boundedAboveInitialValue_throwsAndChangesNothing() {
    Semaphore s = new Semaphore(2, true);
    s.tryAcquire();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.release(2));
    assertEquals("Semaphore released too many times", e.getMessage());
    assertEquals(1, s.available());
    s.release();
    assertEquals(2, s.available());
    assertThrows(IllegalStateException.class, s::release);
  }

  @Test
  void release_lessThanOne_throwsIllegalArgumentException() {
    Semaphore s = new Semaphore(0, false);
    assertThrows(IllegalArgumentException.class, () -> s.release(0));
    assertEquals(0, s.available());
  }

  /* ---- hand-off ---- */

  @Test
  void release_n_wakesNLongestWaitingAndFreesTheRest() {
    Semaphore s = new Semaphore(0, false);
    List<CountingWaiter> ws = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CountingWaiter w = new CountingWaiter();
      assertFalse(s.register(w));
      ws.add(w);
    }
    s.release(2);
    assertEquals(List.of(1, 1, 0), ws.stream().map(w -> w.wakes.get()).toList());
    assertEquals(0, s.available(), "both permits were handed over");
    s.release(2);
    assertEquals(1, ws.get(2).wakes.get());
    assertEquals(Boolean.TRUE, ws.get(2).value.get());
    assertEquals(1, s.available());
  }

  @Test
  void release_waiterQueued_newcomerCannotBarge() {
    Semaphore s = new Semaphore(1, false);
    s.tryAcquire();
    CountingWaiter w = new CountingWaiter();
    s.register(w);
    s.release();
    assertEquals(1, w.wakes.get());
    assertFalse(s.tryAcquire(), "the permit went to the waiter");
  }

  @Test
  void release_cancelledWaiter_permitGoesToNextOrBecomesFree() {
    Semaphore s = new Semaphore(1, true);
    s.tryAcquire();
    CountingWaiter gaveUp = new CountingWaiter();
    CountingWaiter next = new CountingWaiter();
    s.register(gaveUp);
    s.register(next);
    assertTrue(gaveUp.cancel());
    s.release();
    assertEquals(0, gaveUp.wakes.get());
    assertEquals(1, next.wakes.get());
    assertEquals(0, s.available());
    CountingWaiter last = new CountingWaiter();
    s.register(last);
    s.unregister(last);
    s.release(); // by next
    assertEquals(0, last.wakes.get());
    assertEquals(1, s.available());
    assertThrows(IllegalStateException.class, s::release);
  }

  /* ---- acquire ---- */

  @Test
  void acquire_noPermitUntilTimeout_returnsFalse() throws Exception {
    Semaphore s = new Semaphore(0, false);
    assertFalse(s.acquire(Duration.ofMillis(10)));
    assertFalse(s.acquire(Duration.ZERO));
    s.release();
    assertEquals(1, s.available(), "the timed-out waiters took nothing");
  }

  @Test
  void acquire_exactlyNHoldAtOnce_nextWaitsForARelease() throws Exception {
    final int n = 3;
    Semaphore s = new Semaphore(n, true);
    CountDownLatch allIn = new CountDownLatch(n);
    CountDownLatch leave = new CountDownLatch(1);
    List<Blocked> holders = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      holders.add(SyncTesting.start("holder-" + i, () -> {
        assertTrue(s.acquire(LONG));
        allIn.countDown();
        leave.await();
        s.release();
        return true;
      }));
    }
    assertTrue(allIn.await(5, TimeUnit.SECONDS));
    assertEquals(0, s.available());
    assertFalse(s.tryAcquire());
    Blocked extra = startParked("extra", () -> s.acquire(LONG));
    leave.countDown();
    assertEquals(Boolean.TRUE, extra.get());
    for (Blocked h : holders) assertEquals(Boolean.TRUE, h.get());
    s.release();
    assertEquals(n, s.available());
  }

  @Test
  void release_parkedThreadAndReactorTask_servedInOrder() throws Exception {
    Reactor reactor = Reactor.start("semaphore-test");
    try {
      Semaphore s = new Semaphore(0, false);
      Blocked thread = startParked("acquirer", () -> s.acquire(LONG));
      CompletableFuture<Seen> task = registerOnReactor(reactor, s::register);
      s.release();
      assertEquals(Boolean.TRUE, thread.get());
      assertFalse(task.isDone());
      s.release();
      assertEquals(Boolean.TRUE, task.get(5, TimeUnit.SECONDS).value());
      assertEquals(0, s.available());
    } finally {
      reactor.close();
    }
  }

  /* ---- races ---- */

  @Test
  void acquire_manyThreadsWithTimeouts_neverMoreThanNHoldersAndNoPermitLost() throws Exception {
    final int n = 3;
    Semaphore s = new Semaphore(n, true);
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    race(8, i -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      for (int k = 0; k < 5_000; k++) {
        if (!s.acquire(Duration.ofNanos(rnd.nextLong(50_000)))) continue;
        int now = holders.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        spinFor(rnd.nextLong(5_000));
        holders.decrementAndGet();
        s.release();
      }
    });
    assertTrue(most.get() <= n, "held by " + most.get() + " at once");
    assertEquals(n, s.available(), "every permit came back");
  }

  @Test
  void release_racingAcquireTimeouts_permitsNeitherLostNorDoubled() throws Exception {
    Semaphore s = new Semaphore(2, true);
    raceHandOffs(5_000, r -> {
      assertEquals(2, s.available(), "round " + r + ": a permit was lost or made up");
      assertTrue(s.tryAcquire() && s.tryAcquire());
    }, () -> s.release(2), s::acquire, s::release, () -> {});
    assertEquals(2, s.available());
  }
}
