package dev.spindle.kernel.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.kernel.wait.TaskWaiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReactorTest {
  private Reactor reactor;

  @BeforeEach
  void setUp() {
    reactor = Reactor.start("reactor-test");
  }

  @AfterEach
  void tearDown() {
    reactor.close();
  }

  /** Runs {@code body} on the reactor thread and returns its result, rethrowing what it threw. */
  private <T> T onLoop(Callable<T> body) throws Exception {
    return ReactorTesting.onLoop(reactor, body);
  }

  private static boolean assertionsEnabled() {
    return Reactor.class.desiredAssertionStatus();
  }

  @Test
  void start_nullName_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> Reactor.start(null));
  }

  @Test
  void start_withName_threadIsNamedAfterIt() throws Exception {
    String name = onLoop(() -> Thread.currentThread().getName());
    assertTrue(name.contains("reactor-test"), name);
  }

  @Test
  void execute_nullTask_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> reactor.execute(null));
  }

  @Test
  void execute_tasksFromSeveralThreads_runOnOneReactorThreadInPerThreadFifoOrder() throws Exception {
    final int producers = 4;
    final int perProducer = 2_000;
    List<long[]> ran = new ArrayList<>(); // {producer, seq}; touched only on the reactor thread
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger notInLoop = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    CountDownLatch startGate = new CountDownLatch(1);
    List<Thread> submitters = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      final int producer = p;
      Thread t = new Thread(() -> {
        try {
          startGate.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int seq = 0; seq < perProducer; seq++) {
          final int s = seq;
          boolean accepted = reactor.execute(() -> {
            threads.add(Thread.currentThread());
            if (!reactor.inLoop()) notInLoop.incrementAndGet();
            ran.add(new long[] {producer, s});
          });
          if (!accepted) rejected.incrementAndGet();
        }
      }, "submitter-" + p);
      t.start();
      submitters.add(t);
    }
    startGate.countDown();
    for (Thread t : submitters) t.join();

    // every task above was submitted before this one, so it runs after all of them
    List<long[]> snapshot = onLoop(() -> new ArrayList<>(ran));
    Thread reactorThread = onLoop(Thread::currentThread);

    assertEquals(0, rejected.get(), "execute on an open reactor returned false");
    assertEquals(producers * perProducer, snapshot.size());
    assertEquals(Set.of(reactorThread), threads, "all tasks on the one reactor thread");
    assertEquals(0, notInLoop.get(), "inLoop() false inside a task");
    int[] next = new int[producers];
    for (long[] r : snapshot) {
      int producer = (int) r[0];
      assertEquals(next[producer], r[1], "out of order for producer " + producer);
      next[producer]++;
    }
    for (int p = 0; p < producers; p++) assertEquals(perProducer, next[p]);
  }

  @Test
  void inLoop_onReactorThread_true() throws Exception {
    assertTrue(onLoop(reactor::inLoop));
  }

  @Test
  void inLoop_offReactorThread_false() throws Exception {
    assertFalse(reactor.inLoop());
    try (Reactor other = Reactor.start("other")) {
      assertFalse(ReactorTesting.onLoop(other, reactor::inLoop), "another reactor's thread is not this reactor's");
      assertTrue(ReactorTesting.onLoop(other, other::inLoop));
    }
    Thread reactorThread = onLoop(Thread::currentThread);
    assertNotSame(Thread.currentThread(), reactorThread);
  }

  @Test
  void schedule_withDelay_firesOnReactorThreadNoEarlierThanDelay() throws Exception {
    long[] delays = {TimeUnit.MILLISECONDS.toNanos(40), TimeUnit.MILLISECONDS.toNanos(5), 0};
    List<CompletableFuture<Long>> elapsed = new ArrayList<>();
    List<CompletableFuture<Boolean>> inLoop = new ArrayList<>();
    onLoop(() -> {
      for (long delay : delays) {
        CompletableFuture<Long> e = new CompletableFuture<>();
        CompletableFuture<Boolean> l = new CompletableFuture<>();
        long t0 = System.nanoTime();
        reactor.schedule(delay, () -> {
          l.complete(reactor.inLoop());
          e.complete(System.nanoTime() - t0);
        });
        elapsed.add(e);
        inLoop.add(l);
      }
      return null;
    });
    for (int i = 0; i < delays.length; i++) {
      long took = elapsed.get(i).get(5, TimeUnit.SECONDS);
      assertTrue(took >= delays[i], "fired after " + took + "ns, delay " + delays[i] + "ns");
      assertTrue(inLoop.get(i).get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void schedule_negativeDelay_throwsIllegalArgumentException() throws Exception {
    Throwable t = onLoop(() -> {
      try {
        reactor.schedule(-1, () -> {});
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    assertTrue(t instanceof IllegalArgumentException, String.valueOf(t));
    assertEquals(0, onLoop(reactor::wakeSources), "a rejected timer holds no wake source");
  }

  @Test
  void schedule_offReactorThread_throwsAssertionError() {
    assumeTrue(assertionsEnabled());
    assertThrows(AssertionError.class, () -> reactor.schedule(0, () -> {}));
  }

  @Test
  void wakeSources_offReactorThread_throwsAssertionError() {
    assumeTrue(assertionsEnabled());
    assertThrows(AssertionError.class, reactor::wakeSources);
    assertThrows(AssertionError.class, reactor::holdWakeSource);
  }

  @Test
  void wakeSources_newReactor_zero() throws Exception {
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void wakeSources_armedTimers_countedUntilFiredOrCancelled() throws Exception {
    CompletableFuture<Integer> seenWhenFired = new CompletableFuture<>();
    Timer[] timers = new Timer[2];
    int armed = onLoop(() -> {
      timers[0] = reactor.schedule(TimeUnit.HOURS.toNanos(1), () -> {});
      timers[1] = reactor.schedule(TimeUnit.MILLISECONDS.toNanos(5), () -> seenWhenFired.complete(reactor.wakeSources()));
      return reactor.wakeSources();
    });
    assertEquals(2, armed);
    // the short timer released its source before its task ran; the long one still holds one
    assertEquals(1, seenWhenFired.get(5, TimeUnit.SECONDS));
    assertEquals(1, onLoop(reactor::wakeSources));
    assertEquals(0, onLoop(() -> {
      timers[0].cancel();
      return reactor.wakeSources();
    }));
  }

  @Test
  void wakeSources_liveTaskWaiters_countedUntilWokenOrCancelled() throws Exception {
    CompletableFuture<Integer> seenInContinuation = new CompletableFuture<>();
    TaskWaiter[] waiters = new TaskWaiter[2];
    assertEquals(2, onLoop(() -> {
      waiters[0] = new TaskWaiter(reactor, v -> seenInContinuation.complete(reactor.wakeSources()));
      waiters[1] = new TaskWaiter(reactor, v -> {});
      return reactor.wakeSources();
    }));
    assertEquals(1, onLoop(() -> {
      assertTrue(waiters[1].cancel());
      return reactor.wakeSources();
    }));
    assertTrue(waiters[0].wake("x")); // from the test thread
    assertEquals(0, seenInContinuation.get(5, TimeUnit.SECONDS));
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void wakeSources_timersAndWaitersTogether_addUpAndReturnToZero() throws Exception {
    CountDownLatch fired = new CountDownLatch(3);
    TaskWaiter[] waiter = new TaskWaiter[1];
    assertEquals(4, onLoop(() -> {
      for (int i = 0; i < 3; i++) reactor.schedule(TimeUnit.MILLISECONDS.toNanos(1 + i), fired::countDown);
      waiter[0] = new TaskWaiter(reactor, v -> {});
      return reactor.wakeSources();
    }));
    assertTrue(fired.await(5, TimeUnit.SECONDS));
    assertEquals(1, onLoop(reactor::wakeSources));
    assertTrue(waiter[0].wake(null));
    assertEquals(0, onLoop(reactor::wakeSources)); // runs after the continuation task queued by wake
  }

  @Test
  void releaseWakeSource_belowZero_throwsIllegalStateException() throws Exception {
    Throwable t = onLoop(() -> {
      try {
        reactor.releaseWakeSource();
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    assertTrue(t instanceof IllegalStateException, String.valueOf(t));
  }

  @Test
  void close_calledTwice_isIdempotentAndThreadTerminates() throws Exception {
    Thread reactorThread = onLoop(Thread::currentThread);
    assertFalse(reactor.isTerminated());
    reactor.close();
    assertTrue(reactor.isTerminated(), "close from another thread waits for the end");
    reactorThread.join(5_000);
    assertFalse(reactorThread.isAlive());
    reactor.close(); // again: no exception, still terminated
    assertTrue(reactor.isTerminated());
  }

  @Test
  void close_neverUsedReactor_terminates() {
    Reactor fresh = Reactor.start("fresh");
    fresh.close();
    assertTrue(fresh.isTerminated());
  }

  @Test
  void close_withTasksQueued_runsAlreadySubmittedTasksFirst() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    reactor.execute(() -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    for (int i = 0; i < 1_000; i++) reactor.execute(ran::incrementAndGet);
    CompletableFuture<Void> closed = CompletableFuture.runAsync(reactor::close);
    while (!reactor.eventLoop().isShuttingDown()) Thread.yield(); // close requested while tasks are queued
    gate.countDown();
    closed.get(5, TimeUnit.SECONDS);
    assertTrue(reactor.isTerminated());
    assertEquals(1_000, ran.get());
  }

  @Test
  void close_fromReactorThread_returnsWithoutDeadlockAndThreadTerminates() throws Exception {
    Thread reactorThread = onLoop(Thread::currentThread);
    CompletableFuture<Boolean> returned = new CompletableFuture<>();
    reactor.execute(() -> {
      reactor.close();
      returned.complete(reactor.inLoop());
    });
    assertTrue(returned.get(5, TimeUnit.SECONDS), "close returned on the reactor thread");
    reactorThread.join(5_000);
    assertFalse(reactorThread.isAlive());
    assertTrue(reactor.eventLoop().terminationFuture().await(5, TimeUnit.SECONDS));
    assertTrue(reactor.isTerminated());
  }

  @Test
  void execute_openReactor_returnsTrueAndRunsTask() throws Exception {
    CompletableFuture<Boolean> ran = new CompletableFuture<>();
    assertTrue(reactor.execute(() -> ran.complete(true)));
    assertTrue(ran.get(5, TimeUnit.SECONDS));
  }

  @Test
  void execute_afterClose_returnsFalseAndDropsTask() throws Exception {
    Thread reactorThread = onLoop(Thread::currentThread);
    reactor.close();
    AtomicInteger ran = new AtomicInteger();
    assertFalse(reactor.execute(ran::incrementAndGet), "accepted by a closed reactor");
    reactorThread.join(5_000);
    assertFalse(reactorThread.isAlive());
    assertEquals(0, ran.get(), "a dropped task ran");
  }

  @Test
  void eventLoop_returnsTheLoopTasksRunOn() throws Exception {
    Thread reactorThread = onLoop(Thread::currentThread);
    CompletableFuture<Thread> viaLoop = new CompletableFuture<>();
    reactor.eventLoop().execute(() -> viaLoop.complete(Thread.currentThread()));
    assertSame(reactorThread, viaLoop.get(5, TimeUnit.SECONDS));
  }
}
