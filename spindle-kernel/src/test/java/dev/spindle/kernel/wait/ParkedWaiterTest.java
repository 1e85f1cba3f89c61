package dev.spindle.kernel.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParkedWaiterTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Spins (yielding) until {@code t} is parked inside {@code waiter.await}. */
  private static void awaitParked(Thread t, ParkedWaiter waiter) {
    while (!(LockSupport.getBlocker(t) == waiter
        && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING))) {
      if (!t.isAlive()) fail("waiting thread ended before parking");
      Thread.yield();
    }
  }

  /** Starts a thread that, once the current thread is parked in {@code waiter}, runs {@code action}. */
  private static CompletableFuture<Boolean> whenParked(ParkedWaiter waiter, java.util.function.Supplier<Boolean> action) {
    Thread me = Thread.currentThread();
    return CompletableFuture.supplyAsync(() -> {
      awaitParked(me, waiter);
      return action.get();
    });
  }

  /** Waits for {@code latch}; an interrupt meanwhile is re-asserted afterwards instead of thrown. */
  private static void awaitIgnoringInterrupts(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  @Test
  void await_wokenWhileParked_returnsValue() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    Object value = new Object();
    CompletableFuture<Boolean> woke = whenParked(w, () -> w.wake(value));
    assertSame(value, w.await(-1));
    assertTrue(woke.get(5, TimeUnit.SECONDS));
    assertFalse(w.isWaiting());
  }

  @Test
  void await_wokenWithNullWhileParked_returnsNull() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    CompletableFuture<Boolean> woke = whenParked(w, () -> w.wake(null));
    assertNull(w.await(TimeUnit.SECONDS.toNanos(5)));
    assertTrue(woke.get(5, TimeUnit.SECONDS));
  }

  @Test
  void await_wokenBeforeAwait_returnsValueWithoutBlocking() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    assertTrue(CompletableFuture.supplyAsync(() -> w.wake("early")).get(5, TimeUnit.SECONDS));
    assertEquals("early", w.await(-1));
  }

  @Test
  void await_wokenWithNullBeforeAwait_returnsNullNotTimedOut() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    assertTrue(w.wake(null));
    assertNull(w.await(0));
  }

  @Test
  void await_wokenWithTimeoutPending_returnsValueBeforeTimeout() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    CompletableFuture<Boolean> woke = whenParked(w, () -> w.wake(42));
    long t0 = System.nanoTime();
    assertEquals(42, w.await(TimeUnit.SECONDS.toNanos(30)));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "returned on the wake, not the timeout");
    assertTrue(woke.get(5, TimeUnit.SECONDS));
  }

  @Test
  void await_neverWoken_returnsTimedOutAfterTimeoutAndCancels() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    long timeout = 50 * MS;
    long t0 = System.nanoTime();
    assertSame(ParkedWaiter.TIMED_OUT, w.await(timeout));
    long took = System.nanoTime() - t0;
    assertTrue(took >= timeout, "returned after " + took + "ns, timeout " + timeout + "ns");
    assertFalse(w.isWaiting(), "a timed-out waiter is cancelled");
    assertFalse(w.wake("late"), "a timed-out waiter cannot be woken");
  }

  @Test
  void await_zeroTimeout_returnsTimedOutImmediately() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    assertSame(ParkedWaiter.TIMED_OUT, w.await(0));
    assertFalse(w.isWaiting());
  }

  @Test
  void timedOut_toString_isReadable() {
    assertEquals("TIMED_OUT", ParkedWaiter.TIMED_OUT.toString());
  }

  @Test
  void await_interruptedWhileParked_throwsInterruptedExceptionAndCancels() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    Thread me = Thread.currentThread();
    CompletableFuture<Boolean> interrupted = whenParked(w, () -> {
      me.interrupt();
      return true;
    });
    assertThrows(InterruptedException.class, () -> w.await(-1));
    assertTrue(interrupted.get(5, TimeUnit.SECONDS));
    assertFalse(w.isWaiting(), "interrupted waiter is cancelled");
    assertFalse(w.wake("late"), "a later wake finds it cancelled");
    assertFalse(Thread.currentThread().isInterrupted(), "the exception consumed the interrupt");
  }

  @Test
  void await_interruptedBeforeAwait_throwsInterruptedExceptionAndCancels() {
    ParkedWaiter w = new ParkedWaiter();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> w.await(TimeUnit.SECONDS.toNanos(5)));
    assertFalse(w.isWaiting());
    assertFalse(w.wake("late"));
  }

  @Test
  void await_interruptedAfterWoken_returnsValueAndKeepsInterruptFlag() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    assertTrue(w.wake("kept"));
    Thread.currentThread().interrupt();
    assertEquals("kept", w.await(-1));
    assertTrue(Thread.interrupted(), "interrupt flag kept"); // and cleared for whatever runs next here
  }

  @Test
  void await_fromAnotherThread_throwsIllegalStateException() throws Exception {
    ParkedWaiter w = new ParkedWaiter();
    CompletableFuture<Object> other = CompletableFuture.supplyAsync(() -> {
      try {
        return w.await(0);
      } catch (Throwable t) {
        return t;
      }
    });
    assertTrue(other.get(5, TimeUnit.SECONDS) instanceof IllegalStateException);
    assertTrue(w.isWaiting(), "the rejected await changed nothing");
  }

  @Test
  void await_wakeRacingTimeout_returnsValueIffWakeReturnedTrue() throws Exception {
    ExecutorService awaiter = Executors.newSingleThreadExecutor();
    ExecutorService waker = Executors.newSingleThreadExecutor();
    try {
      int woken = 0, timedOut = 0;
      for (int i = 0; i < 3_000; i++) {
        CompletableFuture<ParkedWaiter> created = new CompletableFuture<>();
        CountDownLatch gate = new CountDownLatch(1);
        long timeout = ThreadLocalRandom.current().nextLong(0, 40_000); // 0..40µs
        long wakeDelay = ThreadLocalRandom.current().nextLong(0, 40_000);
        Object value = i % 3 == 0 ? null : Integer.valueOf(i);
        Future<Object> awaited = awaiter.submit(() -> {
          ParkedWaiter w = new ParkedWaiter();
          created.complete(w);
          gate.await();
          return w.await(timeout);
        });
        Future<Boolean> woke = waker.submit(() -> {
          ParkedWaiter w = created.get();
          gate.await();
          long until = System.nanoTime() + wakeDelay;
          while (System.nanoTime() < until) Thread.onSpinWait();
          return w.wake(value);
        });
        gate.countDown();
        boolean won = woke.get(5, TimeUnit.SECONDS);
        Object got = awaited.get(5, TimeUnit.SECONDS);
        if (won) {
          woken++;
          assertSame(value, got, "iteration " + i + ": wake returned true but await returned " + got);
        } else {
          timedOut++;
          assertSame(ParkedWaiter.TIMED_OUT, got, "iteration " + i + ": wake returned false but await returned " + got);
        }
      }
      assertEquals(3_000, woken + timedOut);
    } finally {
      awaiter.shutdownNow();
      waker.shutdownNow();
    }
  }

  @Test
  void await_wakeRacingInterrupt_returnsValueIffWakeReturnedTrueElseThrows() throws Exception {
    ExecutorService awaiter = Executors.newSingleThreadExecutor();
    ExecutorService waker = Executors.newSingleThreadExecutor();
    ExecutorService interrupter = Executors.newSingleThreadExecutor();
    try {
      for (int i = 0; i < 2_000; i++) {
        CompletableFuture<ParkedWaiter> created = new CompletableFuture<>();
        CompletableFuture<Thread> awaitingThread = new CompletableFuture<>();
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch interruptDone = new CountDownLatch(1);
        Object value = "v" + i;
        Future<Object> awaited = awaiter.submit(() -> {
          ParkedWaiter w = new ParkedWaiter();
          awaitingThread.complete(Thread.currentThread());
          created.complete(w);
          awaitIgnoringInterrupts(gate); // the interrupt is meant for w.await, which then sees the flag
          Object result;
          try {
            result = w.await(-1);
          } catch (InterruptedException e) {
            result = e;
          }
          awaitIgnoringInterrupts(interruptDone); // the interrupt must not spill into the next iteration
          Thread.interrupted();
          return result;
        });
        Future<Boolean> woke = waker.submit(() -> {
          ParkedWaiter w = created.get();
          gate.await();
          return w.wake(value);
        });
        Future<?> interrupted = interrupter.submit(() -> {
          try {
            Thread t = awaitingThread.get();
            gate.await();
            t.interrupt();
          } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
          } finally {
            interruptDone.countDown();
          }
        });
        gate.countDown();
        boolean won = woke.get(5, TimeUnit.SECONDS);
        interrupted.get(5, TimeUnit.SECONDS);
        Object got = awaited.get(5, TimeUnit.SECONDS);
        if (won) {
          assertSame(value, got, "iteration " + i + ": wake returned true but await gave " + got);
        } else {
          assertTrue(got instanceof InterruptedException, "iteration " + i + ": wake lost but await gave " + got);
        }
      }
    } finally {
      awaiter.shutdownNow();
      waker.shutdownNow();
      interrupter.shutdownNow();
    }
  }

  private static final Object INTERRUPTED = new Object() {
    @Override
    public String toString() {
      return "InterruptedException";
    }
  };

  /**
   * Spins until {@code done}; yields only once the wait has been long (the partner is not running). Yielding
   * early would let the two racers take turns on one core instead of running side by side.
   */
  private static void spinUntil(BooleanSupplier done) {
    for (int n = 1; !done.getAsBoolean(); n++) {
      if (n > 1024) Thread.yield();
      else Thread.onSpinWait();
    }
  }

  /**
   * Races, up to {@code iterations} times or for about {@code budgetMillis}, one wake against an await whose
   * timeout has already expired (or, with {@code interrupt}, whose thread is already interrupted): two
   * threads kept in lockstep by spinning, the waker starting after a random delay of a few hundred
   * nanoseconds, so that, given two free cores, some wakes land between await's last check and its cancel.
   * Whenever wake returned true, await must have returned that value; otherwise TIMED_OUT (or
   * InterruptedException).
   */
  private static void raceCloseUp(int iterations, long budgetMillis, boolean interrupt) throws Exception {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    Object[] values = new Object[iterations];
    long[] timeouts = new long[iterations];
    long[] delays = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      values[i] = i % 4 == 0 ? null : Integer.valueOf(i);
      timeouts[i] = interrupt ? -1 : (i % 2 == 0 ? 0 : rnd.nextLong(0, 2_000));
      delays[i] = rnd.nextLong(0, 300);
    }
    AtomicReferenceArray<ParkedWaiter> slots = new AtomicReferenceArray<>(iterations);
    ParkedWaiter stop = new ParkedWaiter(); // in a slot: no more rounds
    AtomicInteger wakerAt = new AtomicInteger();
    AtomicInteger rounds = new AtomicInteger(); // set by the awaiter when it stops
    Object[] got = new Object[iterations];
    boolean[] woke = new boolean[iterations];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis);

    Thread awaiter = new Thread(() -> {
      int i = 0;
      try {
        for (; i < iterations && System.nanoTime() < deadline; i++) {
          final int n = i;
          ParkedWaiter w = new ParkedWaiter();
          slots.set(n, w);
          spinUntil(() -> wakerAt.get() > n || failure.get() != null);
          if (failure.get() != null) break;
          if (interrupt) Thread.currentThread().interrupt();
          try {
            got[n] = w.await(timeouts[n]);
          } catch (InterruptedException e) {
            got[n] = INTERRUPTED;
          }
          Thread.interrupted(); // a woken await keeps the flag: clear it for the next round
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      } finally {
        rounds.set(i);
        if (i < iterations) slots.set(i, stop);
      }
    }, "race-awaiter");
    Thread waker = new Thread(() -> {
      try {
        for (int i = 0; i < iterations; i++) {
          final int n = i;
          spinUntil(() -> slots.get(n) != null);
          ParkedWaiter w = slots.get(n);
          if (w == stop) break;
          wakerAt.set(n + 1);
          long until = System.nanoTime() + delays[n];
          while (System.nanoTime() < until) Thread.onSpinWait();
          woke[n] = w.wake(values[n]);
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    }, "race-waker");
    awaiter.setDaemon(true);
    waker.setDaemon(true);
    awaiter.start();
    waker.start();
    awaiter.join(budgetMillis + 5_000);
    waker.join(5_000);
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertFalse(awaiter.isAlive() || waker.isAlive(), "race threads stuck");

    // how often each side won depends on how many cores the two threads really got: not asserted
    Object lost = interrupt ? INTERRUPTED : ParkedWaiter.TIMED_OUT;
    int n = rounds.get();
    assertTrue(n > 0, "no round ran");
    for (int i = 0; i < n; i++) {
      if (woke[i]) {
        assertSame(values[i], got[i], "iteration " + i + ": wake returned true but await returned " + got[i]);
      } else {
        assertSame(lost, got[i], "iteration " + i + ": wake returned false but await returned " + got[i]);
      }
    }
  }

  @Test
  void await_wakeRacingExpiredTimeoutCloseUp_returnsValueIffWakeReturnedTrue() throws Exception {
    raceCloseUp(100_000, 1_500, false);
  }

  @Test
  void await_wakeRacingPendingInterruptCloseUp_returnsValueIffWakeReturnedTrueElseThrows() throws Exception {
    raceCloseUp(100_000, 1_500, true);
  }
}
