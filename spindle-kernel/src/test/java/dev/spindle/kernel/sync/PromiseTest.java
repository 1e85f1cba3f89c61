package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.inRounds;
import static dev.spindle.kernel.sync.SyncTesting.registerOnReactor;
import static dev.spindle.kernel.sync.SyncTesting.startParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.ReactorTesting;
import dev.spindle.kernel.sync.Promise.State;
import dev.spindle.kernel.sync.SyncTesting.Blocked;
import dev.spindle.kernel.sync.SyncTesting.Seen;
import dev.spindle.kernel.wait.CountingWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PromiseTest {
  /* ---- settling once ---- */

  @Test
  void newPromise_pendingWithNoResult() {
    Promise p = new Promise();
    assertSame(State.PENDING, p.state());
    assertFalse(p.isSettled());
    IllegalStateException e = assertThrows(IllegalStateException.class, p::value);
    assertEquals("promise pending, not fulfilled", e.getMessage());
    assertThrows(IllegalStateException.class, p::reason);
  }

  @Test
  void fulfill_first_winsAndLaterSettlesChangeNothing() {
    Promise p = new Promise();
    assertTrue(p.fulfill("v"));
    assertFalse(p.fulfill("w"));
    assertFalse(p.reject("r"));
    assertFalse(p.cancel());
    assertSame(State.FULFILLED, p.state());
    assertTrue(p.isSettled());
    assertEquals("v", p.value());
    assertThrows(IllegalStateException.class, p::reason);
  }

  @Test
  void reject_first_keepsReasonNullIncluded() {
    Promise p = new Promise();
    assertTrue(p.reject(null));
    assertFalse(p.fulfill("v"));
    assertSame(State.REJECTED, p.state());
    assertNull(p.reason());
    assertThrows(IllegalStateException.class, p::value);
  }

  @Test
  void cancel_pending_settlesAsCancelled() {
    Promise p = new Promise();
    assertTrue(p.cancel());
    assertFalse(p.cancel());
    assertFalse(p.fulfill("v"));
    assertSame(State.CANCELLED, p.state());
    assertTrue(p.isSettled());
  }

  @Test
  void start_thenCancelFailsButFulfillWorks() {
    Promise p = new Promise();
    assertTrue(p.start());
    assertSame(State.RUNNING, p.state());
    assertFalse(p.isSettled());
    assertFalse(p.cancel(), "running work cannot be cancelled");
    assertTrue(p.fulfill(1));
    assertEquals(1, p.value());
  }

  @Test
  void start_afterCancelReturnsFalseOtherwiseOnlyOnce() {
    Promise cancelled = new Promise();
    cancelled.cancel();
    assertFalse(cancelled.start(), "the work must not run");
    Promise p = new Promise();
    p.start();
    IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
    assertEquals("promise already running", e.getMessage());
    p.fulfill(null);
    assertThrows(IllegalStateException.class, p::start);
  }

  /* ---- waiting ---- */

  @Test
  void register_pendingThenSettled_wokenOnceWithTrue() {
    Promise p = new Promise();
    CountingWaiter w = new CountingWaiter();
    assertFalse(p.register(w));
    p.reject("r");
    p.fulfill("v");
    assertEquals(1, w.wakes.get());
    assertEquals(Boolean.TRUE, w.value.get());
    CountingWaiter late = new CountingWaiter();
    assertTrue(p.register(late), "settled: not queued");
    assertEquals(0, late.wakes.get());
  }

  @Test
  void unregister_waiterGaveUp_notWoken() {
    Promise p = new Promise();
    CountingWaiter w = new CountingWaiter();
    p.register(w);
    p.unregister(w);
    p.cancel();
    assertEquals(0, w.wakes.get());
  }

  @Test
  void await_pendingUntilTimeout_returnsFalse() throws Exception {
    Promise p = new Promise();
    assertFalse(p.await(Duration.ofMillis(10)));
    assertFalse(p.await(Duration.ZERO));
    p.fulfill(1);
    assertTrue(p.await(Duration.ZERO));
  }

  @Test
  void fulfill_parkedThreadAndReactorTask_wakesBoth() throws Exception {
    Reactor reactor = Reactor.start("promise-test");
    try {
      Promise p = new Promise();
      Blocked thread = startParked("awaiter", () -> p.await(LONG));
      CompletableFuture<Seen> task = registerOnReactor(reactor, p::register);
      CompletableFuture.runAsync(() -> p.fulfill("v")).get(5, TimeUnit.SECONDS);
      assertEquals(Boolean.TRUE, thread.get());
      Seen seen = task.get(5, TimeUnit.SECONDS);
      assertEquals(Boolean.TRUE, seen.value());
      assertSame(ReactorTesting.onLoop(reactor, Thread::currentThread), seen.thread());
      assertEquals(0, ReactorTesting.onLoop(reactor, reactor::wakeSources));
    } finally {
      reactor.close();
    }
  }

  /* ---- callbacks ---- */

  @Test
  void onSettle_runOnceInOrderAfterSettling() {
    Promise p = new Promise();
    List<String> ran = new ArrayList<>();
    p.onSettle(q -> ran.add("first " + q.state()));
    p.onSettle(q -> ran.add("second " + q.value()));
    assertEquals(List.of(), ran);
    p.fulfill("v");
    p.reject("r");
    assertEquals(List.of("first FULFILLED", "second v"), ran);
  }

  @Test
  void onSettle_afterSettling_runsAtOnceOnTheCaller() {
    Promise p = new Promise();
    p.cancel();
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    p.onSettle(q -> ranOn.set(Thread.currentThread()));
    assertSame(Thread.currentThread(), ranOn.get());
  }

  @Test
  void onSettle_callbackRunsWithNoLockHeld() throws Exception {
    Promise p = new Promise();
    CompletableFuture<State> seenFromAnotherThread = new CompletableFuture<>();
    p.onSettle(q -> {
      // another thread can use the promise meanwhile: it would block here if the lock were held
      State s = CompletableFuture.supplyAsync(q::state).join();
      seenFromAnotherThread.complete(s);
    });
    p.fulfill(1);
    assertSame(State.FULFILLED, seenFromAnotherThread.get(5, TimeUnit.SECONDS));
  }

  @Test
  void onSettle_callbackThrows_goesToUncaughtHandlerAndOthersStillRun() throws Exception {
    Promise p = new Promise();
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    p.onSettle(q -> {
      throw new IllegalStateException("callback failed");
    });
    p.onSettle(q -> ran.add("second"));
    AtomicReference<Throwable> uncaught = new AtomicReference<>();
    AtomicReference<Boolean> settled = new AtomicReference<>();
    Thread t = new Thread(() -> settled.set(p.fulfill(1)));
    t.setUncaughtExceptionHandler((th, e) -> uncaught.set(e));
    t.start();
    t.join(5_000);
    assertEquals(Boolean.TRUE, settled.get(), "the settling call still succeeds");
    assertEquals("callback failed", uncaught.get().getMessage());
    assertEquals(List.of("second"), ran);
  }

  @Test
  void onSettle_nullCallback_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new Promise().onSettle(null));
  }

  /* ---- races ---- */

  @Test
  void settle_racingFromFourThreads_exactlyOneWinsAndEveryoneIsToldOnce() throws Exception {
    final int rounds = 2_000;
    AtomicReference<Promise> current = new AtomicReference<>();
    AtomicInteger wins = new AtomicInteger();
    AtomicInteger callbacks = new AtomicInteger();
    List<CountingWaiter> waiters = new ArrayList<>();
    inRounds(4, rounds, r -> {
      if (r > 0) {
        assertEquals(1, wins.getAndSet(0), "round " + (r - 1) + ": winners");
        assertEquals(4, callbacks.getAndSet(0), "round " + (r - 1) + ": callback runs (one added per thread)");
        for (CountingWaiter w : waiters) assertEquals(1, w.wakes.get(), "round " + (r - 1) + ": wakes");
        waiters.clear();
      }
      current.set(new Promise());
    }, (i, r) -> {
      Promise p = current.get();
      CountingWaiter w = new CountingWaiter();
      if (!p.register(w)) {
        synchronized (waiters) {
          waiters.add(w);
        }
      }
      p.onSettle(q -> callbacks.incrementAndGet());
      boolean won = switch (i) {
        case 0 -> p.fulfill(r);
        case 1 -> p.reject(r);
        case 2 -> p.cancel();
        default -> {
          try {
            yield p.start() && p.fulfill(-r);
          } catch (IllegalStateException settledAlready) { // as Python's set_running_or_notify_cancel
            yield false;
          }
        }
      };
      if (won) wins.incrementAndGet();
    });
  }
}
