package dev.spindle.kernel.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.ReactorTesting;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TaskWaiterTest {
  private Reactor reactor;
  private Thread reactorThread;

  @BeforeEach
  void setUp() throws Exception {
    reactor = Reactor.start("task-waiter-test");
    reactorThread = onLoop(Thread::currentThread);
  }

  @AfterEach
  void tearDown() {
    reactor.close();
  }

  private <T> T onLoop(Callable<T> body) throws Exception {
    return ReactorTesting.onLoop(reactor, body);
  }

  /** What a continuation saw: its thread, the value, the reactor's wake sources at that moment. */
  private record Seen(Thread thread, Object value, int wakeSources) {}

  private TaskWaiter newWaiter(CompletableFuture<Seen> seen) throws Exception {
    return onLoop(() -> new TaskWaiter(reactor, v -> seen.complete(new Seen(Thread.currentThread(), v, reactor.wakeSources()))));
  }

  @Test
  void constructor_onReactor_holdsOneWakeSourceEach() throws Exception {
    assertEquals(3, onLoop(() -> {
      for (int i = 0; i < 3; i++) new TaskWaiter(reactor, v -> {});
      return reactor.wakeSources();
    }));
  }

  @Test
  void constructor_nullArguments_throwNullPointerException() throws Exception {
    assertThrows(NullPointerException.class, () -> new TaskWaiter(null, v -> {}));
    Throwable t = onLoop(() -> {
      try {
        new TaskWaiter(reactor, null);
        return null;
      } catch (Throwable e) {
        return e;
      }
    });
    assertTrue(t instanceof NullPointerException, String.valueOf(t));
    assertEquals(0, onLoop(reactor::wakeSources), "a rejected waiter holds no wake source");
  }

  @Test
  void constructor_offReactorThread_throwsAssertionError() {
    assumeTrue(Reactor.class.desiredAssertionStatus());
    assertThrows(AssertionError.class, () -> new TaskWaiter(reactor, v -> {}));
  }

  @Test
  void wake_fromAnotherThread_runsContinuationOnReactorWithValue() throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    TaskWaiter w = newWaiter(seen);
    Object value = new Object();
    assertTrue(w.wake(value));
    Seen s = seen.get(5, TimeUnit.SECONDS);
    assertSame(reactorThread, s.thread());
    assertSame(value, s.value());
  }

  @Test
  void wake_withNull_continuationReceivesNull() throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    TaskWaiter w = newWaiter(seen);
    assertTrue(w.wake(null));
    Seen s = seen.get(5, TimeUnit.SECONDS);
    assertNull(s.value());
    assertSame(reactorThread, s.thread());
  }

  @Test
  void wake_held_releasesWakeSourceOnlyWhenContinuationRuns() throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    TaskWaiter w = newWaiter(seen);
    assertEquals(1, onLoop(reactor::wakeSources), "held while waiting");
    assertTrue(w.wake(1));
    assertEquals(0, seen.get(5, TimeUnit.SECONDS).wakeSources(), "released before the continuation");
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void wake_twice_secondReturnsFalseAndContinuationRunsOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    TaskWaiter w = onLoop(() -> new TaskWaiter(reactor, v -> runs.incrementAndGet()));
    assertTrue(w.wake("a"));
    assertFalse(w.wake("b"));
    onLoop(() -> null); // queued after any continuation the wakes produced
    assertEquals(1, runs.get());
    assertEquals(0, onLoop(reactor::wakeSources), "released once");
  }

  @Test
  void cancel_onReactor_releasesWakeSourceAndContinuationNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    TaskWaiter w = onLoop(() -> new TaskWaiter(reactor, v -> runs.incrementAndGet()));
    assertEquals(0, onLoop(() -> {
      assertTrue(w.cancel());
      return reactor.wakeSources();
    }));
    assertFalse(w.wake("late"));
    onLoop(() -> null);
    assertEquals(0, runs.get());
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void cancel_afterWake_returnsFalseAndReleasesNothingExtra() throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    TaskWaiter w = newWaiter(seen);
    assertTrue(w.wake("v"));
    assertFalse(onLoop(w::cancel));
    assertEquals("v", seen.get(5, TimeUnit.SECONDS).value());
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void cancel_offReactorThread_throwsAssertionError() throws Exception {
    assumeTrue(TaskWaiter.class.desiredAssertionStatus());
    TaskWaiter w = onLoop(() -> new TaskWaiter(reactor, v -> {}));
    assertThrows(AssertionError.class, w::cancel);
  }
}
