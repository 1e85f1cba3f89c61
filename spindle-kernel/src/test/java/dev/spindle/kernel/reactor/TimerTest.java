package dev.spindle.kernel.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimerTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private Reactor reactor;

  @BeforeEach
  void setUp() {
    reactor = Reactor.start("timer-test");
  }

  @AfterEach
  void tearDown() {
    reactor.close();
  }

  private <T> T onLoop(Callable<T> body) throws Exception {
    return ReactorTesting.onLoop(reactor, body);
  }

  /**
   * Completes once a timer armed now with {@code delayNanos} has fired: timers fire in deadline order, so by
   * then every timer armed earlier with a shorter delay has had its chance.
   */
  private CompletableFuture<Void> fenceAfter(long delayNanos) {
    CompletableFuture<Void> fence = new CompletableFuture<>();
    reactor.schedule(delayNanos, () -> fence.complete(null));
    return fence;
  }

  @Test
  void isPending_armedTimer_true() throws Exception {
    assertTrue(onLoop(() -> {
      Timer t = reactor.schedule(TimeUnit.HOURS.toNanos(1), () -> {});
      boolean pending = t.isPending();
      t.cancel();
      return pending;
    }));
  }

  @Test
  void cancel_beforeFiring_returnsTruePreventsTaskAndReleasesWakeSource() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    AtomicReference<CompletableFuture<Void>> fence = new AtomicReference<>();
    Timer timer = onLoop(() -> {
      Timer t = reactor.schedule(5 * MS, ran::incrementAndGet);
      fence.set(fenceAfter(30 * MS));
      assertEquals(2, reactor.wakeSources());
      assertTrue(t.cancel(), "cancel of a pending timer");
      assertFalse(t.isPending());
      assertEquals(1, reactor.wakeSources(), "cancel released the timer's wake source");
      return t;
    });
    fence.get().get(5, TimeUnit.SECONDS); // the cancelled timer's deadline has passed
    assertEquals(0, ran.get(), "cancelled timer ran");
    assertFalse(timer.isPending());
    assertEquals(0, onLoop(reactor::wakeSources), "released once, not twice");
  }

  @Test
  void cancel_twice_secondReturnsFalse() throws Exception {
    assertFalse(onLoop(() -> {
      Timer t = reactor.schedule(TimeUnit.HOURS.toNanos(1), () -> {});
      assertTrue(t.cancel());
      return t.cancel();
    }));
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void cancel_afterFiring_returnsFalseAndTaskRanOnce() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    CompletableFuture<Void> fired = new CompletableFuture<>();
    Timer timer = onLoop(() -> reactor.schedule(0, () -> {
      ran.incrementAndGet();
      fired.complete(null);
    }));
    fired.get(5, TimeUnit.SECONDS);
    assertFalse(onLoop(timer::isPending), "not pending once fired");
    assertFalse(onLoop(timer::cancel), "cancel after firing");
    assertEquals(1, ran.get());
    assertEquals(0, onLoop(reactor::wakeSources), "a late cancel releases nothing");
  }

  @Test
  void cancel_dueTimerFromTaskOfEarlierTimer_preventsItsTask() throws Exception {
    // both timers fall due in the same loop turn; the first one's task cancels the second
    AtomicInteger secondRan = new AtomicInteger();
    CompletableFuture<Boolean> cancelResult = new CompletableFuture<>();
    AtomicReference<CompletableFuture<Void>> fence = new AtomicReference<>();
    onLoop(() -> {
      Timer[] second = new Timer[1];
      reactor.schedule(2 * MS, () -> cancelResult.complete(second[0].cancel()));
      second[0] = reactor.schedule(2 * MS, secondRan::incrementAndGet);
      fence.set(fenceAfter(20 * MS));
      // keep the loop busy past both deadlines so they are due together
      long until = System.nanoTime() + 5 * MS;
      while (System.nanoTime() < until) Thread.onSpinWait();
      return null;
    });
    assertTrue(cancelResult.get(5, TimeUnit.SECONDS), "second timer still pending when cancelled");
    fence.get().get(5, TimeUnit.SECONDS);
    assertEquals(0, secondRan.get());
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void run_taskThrows_wakeSourceStillReleased() throws Exception {
    AtomicReference<CompletableFuture<Void>> fence = new AtomicReference<>();
    Timer timer = onLoop(() -> {
      Timer t = reactor.schedule(0, () -> {
        throw new RuntimeException("boom (expected by the test)");
      });
      fence.set(fenceAfter(5 * MS));
      return t;
    });
    fence.get().get(5, TimeUnit.SECONDS);
    assertFalse(onLoop(timer::isPending));
    assertEquals(0, onLoop(reactor::wakeSources));
  }

  @Test
  void cancel_offReactorThread_throwsAssertionError() throws Exception {
    assumeTrue(Timer.class.desiredAssertionStatus());
    Timer timer = onLoop(() -> reactor.schedule(TimeUnit.HOURS.toNanos(1), () -> {}));
    assertThrows(AssertionError.class, timer::cancel);
    assertTrue(onLoop(timer::cancel), "the rejected cancel changed nothing");
  }
}
