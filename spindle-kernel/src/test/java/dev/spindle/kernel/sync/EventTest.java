package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.awaitParked;
import static dev.spindle.kernel.sync.SyncTesting.registerOnReactor;
import static dev.spindle.kernel.sync.SyncTesting.start;
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
import dev.spindle.kernel.wait.TaskWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EventTest {
  private Reactor reactor;
  private Thread reactorThread;

  @BeforeEach
  void setUp() throws Exception {
    reactor = Reactor.start("event-test");
    reactorThread = onLoop(Thread::currentThread);
  }

  @AfterEach
  void tearDown() {
    reactor.close();
  }

  private <T> T onLoop(Callable<T> body) throws Exception {
    return ReactorTesting.onLoop(reactor, body);
  }

  private static Blocked startAwaiting(Event event, Duration timeout) {
    return start("event-awaiter", () -> event.await(timeout));
  }

  /** On the reactor: creates a TaskWaiter and registers it; returns its continuation's future. */
  private CompletableFuture<Seen> registerTaskWaiter(Event event) throws Exception {
    return registerOnReactor(reactor, event::register);
  }

  @Test
  void isSet_newEvent_false() {
    assertFalse(new Event().isSet());
  }

  @Test
  void set_thenClear_flagFollows() {
    Event e = new Event();
    e.set();
    assertTrue(e.isSet());
    e.set();
    assertTrue(e.isSet());
    e.clear();
    assertFalse(e.isSet());
  }

  @Test
  void await_neverSet_returnsFalseAfterTimeout() throws Exception {
    Event e = new Event();
    Duration timeout = Duration.ofMillis(50);
    long t0 = System.nanoTime();
    assertFalse(e.await(timeout));
    long took = System.nanoTime() - t0;
    assertTrue(took >= timeout.toNanos(), "returned after " + took + "ns");
  }

  @Test
  void await_zeroTimeoutNotSet_returnsFalse() throws Exception {
    assertFalse(new Event().await(Duration.ZERO));
  }

  @Test
  void await_alreadySet_returnsTrueWithoutWaiting() throws Exception {
    Event e = new Event();
    e.set();
    assertTrue(e.await(Duration.ZERO));
    assertTrue(e.await(LONG));
  }

  @Test
  void await_negativeTimeout_throwsIllegalArgumentException() {
    assertThrows(IllegalArgumentException.class, () -> new Event().await(Duration.ofNanos(-1)));
  }

  @Test
  void await_nullTimeout_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new Event().await(null));
  }

  @Test
  void await_setWhileParked_returnsTrueBeforeTimeout() throws Exception {
    Event e = new Event();
    Blocked a = startAwaiting(e, Duration.ofSeconds(30));
    awaitParked(a.thread());
    long t0 = System.nanoTime();
    e.set();
    assertEquals(Boolean.TRUE, a.result().get(5, TimeUnit.SECONDS));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void await_interruptedWhileParked_throwsInterruptedException() throws Exception {
    Event e = new Event();
    Blocked a = startAwaiting(e, LONG);
    awaitParked(a.thread());
    a.thread().interrupt();
    assertTrue(a.result().get(5, TimeUnit.SECONDS) instanceof InterruptedException);
    assertFalse(e.isSet());
  }

  @Test
  void await_timedOut_laterWaitersStillWokenBySet() throws Exception {
    Event e = new Event();
    assertFalse(e.await(Duration.ofMillis(1)));
    CountingWaiter w = new CountingWaiter();
    assertFalse(e.register(w));
    e.set();
    assertEquals(1, w.wakes.get());
    assertTrue(e.await(Duration.ZERO));
  }

  @Test
  void set_severalParkedThreads_wakesAllWithTrue() throws Exception {
    Event e = new Event();
    List<Blocked> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) threads.add(startAwaiting(e, LONG));
    for (Blocked a : threads) awaitParked(a.thread());
    e.set();
    for (Blocked a : threads) assertEquals(Boolean.TRUE, a.result().get(5, TimeUnit.SECONDS));
  }

  @Test
  void set_thenClearedAtOnce_parkedThreadsStillReturnTrue() throws Exception {
    Event e = new Event();
    List<Blocked> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) threads.add(startAwaiting(e, LONG));
    for (Blocked a : threads) awaitParked(a.thread());
    e.set();
    e.clear();
    for (Blocked a : threads) assertEquals(Boolean.TRUE, a.result().get(5, TimeUnit.SECONDS));
    assertFalse(e.isSet());
  }

  @Test
  void set_taskWaitersRegisteredOnReactor_continuationsRunOnReactorThreadWithTrue() throws Exception {
    Event e = new Event();
    List<CompletableFuture<Seen>> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) seen.add(registerTaskWaiter(e));
    e.set(); // from the test thread
    for (CompletableFuture<Seen> s : seen) {
      Seen got = s.get(5, TimeUnit.SECONDS);
      assertSame(reactorThread, got.thread());
      assertEquals(Boolean.TRUE, got.value());
    }
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void set_thenClearedAtOnce_taskWaitersStillWokenWithTrue() throws Exception {
    Event e = new Event();
    CompletableFuture<Seen> seen = registerTaskWaiter(e);
    e.set();
    e.clear();
    assertEquals(Boolean.TRUE, seen.get(5, TimeUnit.SECONDS).value());
  }

  @Test
  void set_parkedThreadsAndTaskWaiters_wakesBothKinds() throws Exception {
    Event e = new Event();
    List<Blocked> threads = new ArrayList<>();
    for (int i = 0; i < 3; i++) threads.add(startAwaiting(e, LONG));
    List<CompletableFuture<Seen>> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) seen.add(registerTaskWaiter(e));
    for (Blocked a : threads) awaitParked(a.thread());
    CompletableFuture.runAsync(e::set).get(5, TimeUnit.SECONDS); // from a third thread
    for (Blocked a : threads) assertEquals(Boolean.TRUE, a.result().get(5, TimeUnit.SECONDS));
    for (CompletableFuture<Seen> s : seen) assertSame(reactorThread, s.get(5, TimeUnit.SECONDS).thread());
  }

  @Test
  void register_alreadySet_returnsTrueAndDoesNotQueueWaiter() {
    Event e = new Event();
    e.set();
    CountingWaiter w = new CountingWaiter();
    assertTrue(e.register(w));
    e.clear();
    e.set();
    assertEquals(0, w.wakes.get(), "an unqueued waiter is not woken by a later set");
    assertTrue(w.isWaiting());
  }

  @Test
  void register_notSet_returnsFalseAndNextSetWakesWithTrue() {
    Event e = new Event();
    CountingWaiter w = new CountingWaiter();
    assertFalse(e.register(w));
    assertEquals(0, w.wakes.get());
    e.set();
    assertEquals(1, w.wakes.get());
    assertEquals(Boolean.TRUE, w.value.get());
  }

  @Test
  void register_afterSetAndClear_queuedAndWokenOnlyOnce() {
    Event e = new Event();
    CountingWaiter first = new CountingWaiter();
    assertFalse(e.register(first));
    e.set();
    e.clear();
    CountingWaiter second = new CountingWaiter();
    assertFalse(e.register(second));
    e.set();
    assertEquals(1, first.wakes.get());
    assertEquals(1, second.wakes.get());
  }

  @Test
  void register_null_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> new Event().register(null));
  }

  @Test
  void unregister_registeredWaiter_setDoesNotWakeIt() {
    Event e = new Event();
    CountingWaiter gone = new CountingWaiter();
    CountingWaiter stays = new CountingWaiter();
    assertFalse(e.register(gone));
    assertFalse(e.register(stays));
    e.unregister(gone);
    e.set();
    assertEquals(0, gone.wakes.get());
    assertTrue(gone.isWaiting());
    assertEquals(1, stays.wakes.get());
  }

  @Test
  void set_cancelledRegisteredWaiter_skipsItAndWakesTheOthers() {
    Event e = new Event();
    CountingWaiter cancelled = new CountingWaiter();
    CountingWaiter live = new CountingWaiter();
    e.register(cancelled);
    e.register(live);
    assertTrue(cancelled.cancel());
    e.set();
    assertEquals(0, cancelled.wakes.get());
    assertEquals(1, live.wakes.get());
  }

  @Test
  void taskWaiter_createdOnReactor_holdsWakeSourceUntilWoken() throws Exception {
    Event e = new Event();
    CompletableFuture<Integer> sourcesInContinuation = new CompletableFuture<>();
    assertEquals(1, onLoop(() -> {
      TaskWaiter w = new TaskWaiter(reactor, v -> sourcesInContinuation.complete(reactor.wakeSources()));
      assertFalse(e.register(w));
      return reactor.wakeSources();
    }));
    assertEquals(1, onLoop(reactor::wakeSources), "still held: nothing woke it");
    e.set();
    assertEquals(0, sourcesInContinuation.get(5, TimeUnit.SECONDS));
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void taskWaiter_cancelledAndUnregistered_releasesWakeSourceAndSetRunsNoContinuation() throws Exception {
    Event e = new Event();
    AtomicInteger runs = new AtomicInteger();
    assertEquals(0, onLoop(() -> {
      TaskWaiter w = new TaskWaiter(reactor, v -> runs.incrementAndGet());
      assertFalse(e.register(w));
      assertTrue(w.cancel()); // its timeout fired, say
      e.unregister(w);
      return reactor.wakeSources();
    }));
    e.set();
    onLoop(() -> null); // runs after any continuation set could have queued
    assertEquals(0, runs.get());
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void set_manyThreadsRacingRegistration_noWakeupLostOver200Rounds() throws Exception {
    final int parked = 6;
    final int rounds = 200;
    ExecutorService pool = Executors.newFixedThreadPool(parked);
    try {
      for (int round = 0; round < rounds; round++) {
        Event e = new Event();
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        List<CompletableFuture<Thread>> threads = new ArrayList<>();
        for (int i = 0; i < parked; i++) {
          CompletableFuture<Thread> th = new CompletableFuture<>();
          threads.add(th);
          results.add(pool.submit(() -> {
            th.complete(Thread.currentThread());
            gate.await();
            return e.await(LONG);
          }));
        }
        // a task on the reactor waits too, registering while the set may be under way
        CompletableFuture<Object> taskResult = new CompletableFuture<>();
        reactor.execute(() -> {
          try {
            gate.await();
          } catch (InterruptedException ex) {
            taskResult.completeExceptionally(ex);
            return;
          }
          TaskWaiter w = new TaskWaiter(reactor, taskResult::complete);
          if (e.register(w) && w.cancel()) taskResult.complete("already set");
        });
        gate.countDown();
        // vary the race: let 0..parked of the threads park first, the rest register while set runs
        for (int i = 0; i < round % (parked + 1); i++) awaitParked(threads.get(i).get(5, TimeUnit.SECONDS));
        e.set();
        for (int i = 0; i < parked; i++) {
          assertTrue(results.get(i).get(LONG.toSeconds() + 2, TimeUnit.SECONDS), "round " + round + ": a waiter timed out");
        }
        Object t = taskResult.get(5, TimeUnit.SECONDS);
        assertTrue(t == Boolean.TRUE || t.equals("already set"), "round " + round + ": " + t);
      }
      assertEquals(0, onLoop(reactor::wakeSources), "every task waiter gave its wake source back");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void set_manyParkedThreadsRepeatedRounds_allWoken() throws Exception {
    final int parked = 6;
    ExecutorService pool = Executors.newFixedThreadPool(parked);
    try {
      for (int round = 0; round < 50; round++) {
        Event e = new Event();
        List<CompletableFuture<Thread>> started = new ArrayList<>();
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < parked; i++) {
          CompletableFuture<Thread> s = new CompletableFuture<>();
          started.add(s);
          results.add(pool.submit(() -> {
            s.complete(Thread.currentThread());
            return e.await(LONG);
          }));
        }
        for (CompletableFuture<Thread> s : started) awaitParked(s.get(5, TimeUnit.SECONDS));
        e.set();
        for (Future<Boolean> r : results) assertTrue(r.get(LONG.toSeconds() + 2, TimeUnit.SECONDS), "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void set_racingRegisterCloseUp_queuedWaiterIsAlwaysWoken() throws Exception {
    // two threads in lockstep (spinning, so they really start together), one calling set, one register,
    // on a fresh event each round: a waiter that register queued (returned false) must have been woken by
    // the time set returns, with true; one that found the flag set must not be queued at all
    final int iterations = 100_000;
    Event[] events = new Event[iterations];
    CountingWaiter[] waiters = new CountingWaiter[iterations];
    int[] setJitter = new int[iterations];
    int[] registerJitter = new int[iterations];
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = 0; i < iterations; i++) {
      events[i] = new Event();
      waiters[i] = new CountingWaiter();
      if (rnd.nextBoolean()) setJitter[i] = rnd.nextInt(16);
      else registerJitter[i] = rnd.nextInt(16);
    }
    boolean[] foundSet = new boolean[iterations];
    AtomicInteger arrivals = new AtomicInteger();
    AtomicInteger limit = new AtomicInteger(iterations);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
    CountDownLatch start = new CountDownLatch(1);
    Thread setter = new Thread(() -> {
      try {
        start.await();
        for (int i = 0; i < iterations; i++) {
          if (System.nanoTime() > deadline) limit.set(i);
          if (!lockstepGate(arrivals, i, failure) || i >= limit.get()) break;
          spin(setJitter[i]);
          events[i].set();
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    }, "racing-setter");
    Thread registrar = new Thread(() -> {
      try {
        start.await();
        for (int i = 0; i < iterations; i++) {
          if (!lockstepGate(arrivals, i, failure) || i >= limit.get()) break;
          spin(registerJitter[i]);
          foundSet[i] = events[i].register(waiters[i]);
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    }, "racing-registrar");
    setter.setDaemon(true);
    registrar.setDaemon(true);
    setter.start();
    registrar.start();
    start.countDown();
    setter.join(6_500);
    registrar.join(5_000);
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertFalse(setter.isAlive() || registrar.isAlive(), "racing threads stuck");
    int rounds = limit.get();
    assertTrue(rounds > 0, "no round ran");
    for (int i = 0; i < rounds; i++) {
      CountingWaiter w = waiters[i];
      if (foundSet[i]) {
        assertEquals(0, w.wakes.get(), "round " + i + ": register returned true, yet the waiter was queued and woken");
      } else {
        assertEquals(1, w.wakes.get(), "round " + i + ": queued waiter not woken by the set (lost wakeup)");
        assertEquals(Boolean.TRUE, w.value.get());
      }
    }
  }

  /**
   * The spinning gate of round {@code i} for two threads: arrive, then wait for the other. Yields once the
   * wait is long (the other is not running). False if the other thread failed.
   */
  private static boolean lockstepGate(AtomicInteger arrivals, int i, AtomicReference<Throwable> failure) {
    arrivals.incrementAndGet();
    long target = 2L * (i + 1);
    for (int n = 1; arrivals.get() < target; n++) {
      if (failure.get() != null) return false;
      if (n > 1024) Thread.yield();
      else Thread.onSpinWait();
    }
    return true;
  }

  private static void spin(int pauses) {
    for (int i = 0; i < pauses; i++) Thread.onSpinWait();
  }
}
