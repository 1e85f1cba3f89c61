package dev.spindle.kernel.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WaiterTest {
  private static final int ITERATIONS = 30_000;

  /**
   * Runs one thread per action through up to {@code iterations} rounds in lockstep (fewer if {@code
   * budgetMillis} runs out first): in round {@code i} each calls its action with {@code i}, all released
   * together. A CountDownLatch start gate lets them all begin; each round's gate is a spinning barrier,
   * because parking would release the threads microseconds apart and they would rarely race. A thread that
   * waits long, or that has more peers than there are cores, yields so that the late ones get to run.
   * Returns the number of rounds run.
   */
  private static int lockstep(int iterations, long budgetMillis, List<IntConsumer> actions) throws Exception {
    int parties = actions.size();
    boolean crowded = parties > Runtime.getRuntime().availableProcessors();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger arrivals = new AtomicInteger();
    AtomicInteger limit = new AtomicInteger(iterations); // lowered by the first thread when time is up
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (IntConsumer action : actions) {
      boolean leader = threads.isEmpty();
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < iterations; i++) {
            if (leader && System.nanoTime() > deadline) limit.set(i); // seen by all once past this round's gate
            arrivals.incrementAndGet();
            long target = (long) (i + 1) * parties;
            for (int n = 1; arrivals.get() < target && failure.get() == null; n++) {
              if (crowded || n > 1024) Thread.yield(); // the others are not running: let them
              else Thread.onSpinWait();
            }
            if (i >= limit.get() || failure.get() != null) break;
            action.accept(i);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "lockstep-" + threads.size());
      t.setDaemon(true);
      threads.add(t);
    }
    for (Thread t : threads) t.start();
    start.countDown();
    for (Thread t : threads) t.join(budgetMillis + 5_000);
    if (failure.get() != null) throw new AssertionError(failure.get());
    for (Thread t : threads) assertFalse(t.isAlive(), "lockstep thread stuck");
    int rounds = limit.get();
    assertTrue(rounds > 0, "no round ran");
    return rounds;
  }

  /** Busy-waits for about {@code spins} pause instructions: a few nanoseconds each. */
  private static void jitter(int spins) {
    for (int i = 0; i < spins; i++) Thread.onSpinWait();
  }

  @Test
  void isWaiting_newWaiter_true() {
    assertTrue(new CountingWaiter().isWaiting());
  }

  @Test
  void wake_whileWaiting_returnsTrueAndDeliversValueOnce() {
    CountingWaiter w = new CountingWaiter();
    Object value = new Object();
    assertTrue(w.wake(value));
    assertFalse(w.isWaiting());
    assertSame(value, w.value.get());
    assertEquals(1, w.wakes.get());
    assertEquals(0, w.cancels.get());
  }

  @Test
  void wake_withNull_deliversNull() {
    CountingWaiter w = new CountingWaiter();
    w.value.set("sentinel");
    assertTrue(w.wake(null));
    assertNull(w.value.get());
    assertEquals(1, w.wakes.get());
  }

  @Test
  void wake_afterWake_returnsFalseAndDeliversNothing() {
    CountingWaiter w = new CountingWaiter();
    assertTrue(w.wake("first"));
    assertFalse(w.wake("second"));
    assertEquals("first", w.value.get());
    assertEquals(1, w.wakes.get());
  }

  @Test
  void cancel_afterWake_returnsFalseAndDoesNotCallOnCancel() {
    CountingWaiter w = new CountingWaiter();
    assertTrue(w.wake("v"));
    assertFalse(w.cancel());
    assertEquals(0, w.cancels.get());
    assertEquals(1, w.wakes.get());
  }

  @Test
  void cancel_whileWaiting_returnsTrueAndLaterWakeDeliversNothing() {
    CountingWaiter w = new CountingWaiter();
    assertTrue(w.cancel());
    assertFalse(w.isWaiting());
    assertEquals(1, w.cancels.get());
    assertFalse(w.wake("late"));
    assertFalse(w.cancel());
    assertEquals(0, w.wakes.get());
    assertEquals(1, w.cancels.get());
    assertNull(w.value.get());
  }

  @Test
  void cancel_defaultOnCancel_doesNothingAndReturnsTrue() {
    AtomicInteger wakes = new AtomicInteger();
    Waiter w = new Waiter() {
      @Override
      protected void onWake(Object value) {
        wakes.incrementAndGet();
      }
    };
    assertTrue(w.cancel());
    assertFalse(w.wake(1));
    assertEquals(0, wakes.get());
  }

  @Test
  void wakeAndCancel_racingFromTwoThreads_exactlyOneWinsEveryTime() throws Exception {
    CountingWaiter[] waiters = new CountingWaiter[ITERATIONS];
    Integer[] values = new Integer[ITERATIONS];
    int[] wakeJitter = new int[ITERATIONS];
    int[] cancelJitter = new int[ITERATIONS];
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = 0; i < ITERATIONS; i++) {
      waiters[i] = new CountingWaiter();
      values[i] = i;
      // stagger one side or the other by a few nanoseconds so that each side wins now and then
      if (rnd.nextBoolean()) wakeJitter[i] = rnd.nextInt(8);
      else cancelJitter[i] = rnd.nextInt(8);
    }
    boolean[] woke = new boolean[ITERATIONS];
    boolean[] cancelled = new boolean[ITERATIONS];
    int rounds = lockstep(ITERATIONS, 2_000, List.of(
        i -> {
          jitter(wakeJitter[i]);
          woke[i] = waiters[i].wake(values[i]);
        },
        i -> {
          jitter(cancelJitter[i]);
          cancelled[i] = waiters[i].cancel();
        }));
    for (int i = 0; i < rounds; i++) {
      CountingWaiter w = waiters[i];
      if (woke[i] == cancelled[i]) fail("iteration " + i + ": wake=" + woke[i] + " cancel=" + cancelled[i]);
      assertFalse(w.isWaiting());
      if (woke[i]) {
        assertEquals(1, w.wakes.get(), "onWake count, iteration " + i);
        assertEquals(0, w.cancels.get(), "onCancel count, iteration " + i);
        assertSame(values[i], w.value.get());
      } else {
        assertEquals(0, w.wakes.get(), "onWake count, iteration " + i);
        assertEquals(1, w.cancels.get(), "onCancel count, iteration " + i);
        assertNull(w.value.get());
      }
    }
  }

  @Test
  void wake_racingWakersAndCanceller_exactlyOneWinsAndOnlyItsValueIsDelivered() throws Exception {
    final int wakers = 2;
    final int iterations = ITERATIONS / 4;
    CountingWaiter[] waiters = new CountingWaiter[iterations];
    for (int i = 0; i < iterations; i++) waiters[i] = new CountingWaiter();
    Object[][] values = new Object[wakers][iterations];
    boolean[][] woke = new boolean[wakers][iterations];
    boolean[] cancelled = new boolean[iterations];
    List<IntConsumer> actions = new ArrayList<>();
    for (int k = 0; k < wakers; k++) {
      final int waker = k;
      for (int i = 0; i < iterations; i++) values[k][i] = new Object();
      actions.add(i -> woke[waker][i] = waiters[i].wake(values[waker][i]));
    }
    actions.add(i -> cancelled[i] = waiters[i].cancel());
    int rounds = lockstep(iterations, 1_500, actions);
    for (int i = 0; i < rounds; i++) {
      int winners = cancelled[i] ? 1 : 0;
      Object winnerValue = null;
      for (int k = 0; k < wakers; k++) {
        if (woke[k][i]) {
          winners++;
          winnerValue = values[k][i];
        }
      }
      CountingWaiter w = waiters[i];
      assertEquals(1, winners, "winners in iteration " + i);
      assertEquals(1, w.wakes.get() + w.cancels.get(), "callbacks in iteration " + i);
      assertSame(winnerValue, w.value.get(), "delivered value in iteration " + i);
    }
  }
}
