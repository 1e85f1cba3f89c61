package dev.spindle.kernel.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.ReactorTesting;
import dev.spindle.kernel.wait.ParkedWaiter;
import dev.spindle.kernel.wait.TaskWaiter;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Test helpers shared by the tests of the synchronisation primitives. */
final class SyncTesting {
  /** A timeout that a test that passes never reaches. */
  static final Duration LONG = Duration.ofSeconds(5);

  private SyncTesting() {}


  /**
   * Spins (yielding) until {@code t} is parked on a {@link ParkedWaiter}, i.e. registered and waiting;
   * returns that waiter.
   */
  static ParkedWaiter awaitParked(Thread t) {
    return awaitParkedOnAnother(t, null);
  }

  /**
   * Spins (yielding) until {@code t} is parked on a ParkedWaiter other than {@code previous}: it has moved
   * on to its next wait. Returns that waiter.
   */
  static ParkedWaiter awaitParkedOnAnother(Thread t, ParkedWaiter previous) {
    while (true) {
      Object blocker = LockSupport.getBlocker(t);
      Thread.State state = t.getState();
      if (blocker instanceof ParkedWaiter w && w != previous
          && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)) {
        return w;
      }
      if (!t.isAlive()) fail("awaiting thread ended before parking");
      Thread.yield();
    }
  }

  /** A thread running a blocking call, and what the call returned or threw. */
  record Blocked(Thread thread, CompletableFuture<Object> result) {
    /** What the call returned (or threw), within {@link #LONG}. */
    Object get() throws Exception {
      return result.get(LONG.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** Starts a thread that runs {@code call}. */
  static Blocked start(String name, Callable<?> call) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(call.call());
      } catch (Throwable e) {
        result.complete(e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return new Blocked(t, result);
  }

  /** Starts a thread that runs {@code call} and returns once it is parked in it. */
  static Blocked startParked(String name, Callable<?> call) {
    Blocked b = start(name, call);
    awaitParked(b.thread());
    return b;
  }

  /** What a TaskWaiter's continuation saw. */
  record Seen(Thread thread, Object value) {}

  /**
   * On {@code reactor}'s thread: creates a TaskWaiter and registers it with {@code register}, which must
   * queue it (return false). Returns the future its continuation completes.
   */
  static CompletableFuture<Seen> registerOnReactor(Reactor reactor, Predicate<Waiter> register) throws Exception {
    CompletableFuture<Seen> seen = new CompletableFuture<>();
    boolean done = ReactorTesting.onLoop(reactor, () -> {
      TaskWaiter w = new TaskWaiter(reactor, v -> seen.complete(new Seen(Thread.currentThread(), v)));
      boolean immediate = register.test(w);
      if (immediate) w.cancel();
      return immediate;
    });
    assertFalse(done, "the task waiter was not queued");
    return seen;
  }

  /** A body run by each of several threads, given its index. */
  interface Racer {
    void run(int index) throws Exception;
  }

  /**
   * Runs {@code body} on {@code threads} threads released together, and waits for them all. The first
   * failure interrupts the others (so that their blocking calls end) and is rethrown.
   */
  static void race(int threads, Racer body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CompletionService<Void> done = new ExecutorCompletionService<>(pool);
      CountDownLatch start = new CountDownLatch(1);
      for (int i = 0; i < threads; i++) {
        int index = i;
        done.submit(() -> {
          start.await();
          body.run(index);
          return null;
        });
      }
      start.countDown();
      for (int i = 0; i < threads; i++) {
        Future<Void> f = done.poll(20, TimeUnit.SECONDS);
        if (f == null) throw new TimeoutException("racers still running after 20 s");
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error err) throw err;
          throw (Exception) e.getCause();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** One thread's part in one round. */
  interface RoundBody {
    void run(int thread, int round) throws Exception;
  }

  /** What runs alone before a round. */
  interface RoundSetup {
    void run(int round) throws Exception;
  }

  /**
   * Runs {@code rounds} rounds on {@code threads} threads in lockstep: before round {@code r}, once every
   * thread has finished round {@code r - 1}, {@code setup} runs alone; then every thread runs {@code body}
   * for round {@code r}, all released together. A failure anywhere stops every thread.
   */
  static void inRounds(int threads, int rounds, RoundSetup setup, RoundBody body) throws Exception {
    AtomicReference<Throwable> setupFailure = new AtomicReference<>();
    Phaser phaser = new Phaser(threads) {
      @Override
      protected boolean onAdvance(int phase, int parties) { // run by the last thread to arrive
        try {
          setup.run(phase);
          return false;
        } catch (Throwable t) {
          setupFailure.set(t);
          return true; // terminates the phaser: every thread stops
        }
      }
    };
    race(threads, i -> {
      try {
        for (int r = 0; r < rounds; r++) {
          if (phaser.arriveAndAwaitAdvance() < 0) return; // another thread failed
          body.run(i, r);
        }
      } catch (Exception | Error e) {
        phaser.forceTermination();
        throw e;
      }
    });
    Throwable t = setupFailure.get();
    if (t instanceof Error err) throw err;
    if (t != null) throw (Exception) t;
  }

  /** A call that waits up to {@code timeout} and says whether it got what it waited for. */
  interface TimedAcquire {
    boolean acquire(Duration timeout) throws Exception;
  }

  /** A step of a race. */
  interface Action {
    void run() throws Exception;
  }

  /**
   * Races hand-offs against timeouts on a lock-like primitive, {@code rounds} times: {@code hold} takes it
   * before each round; in the round thread 0 gives it back ({@code giveBack}) after a random delay of up to
   * 20 µs while three threads {@code acquire} it with random timeouts of up to 30 µs, so that some waiters
   * give up just as it reaches them. A thread that got it runs {@code holding}, which must give it back;
   * one that timed out runs {@code timedOut}.
   */
  static void raceHandOffs(
      int rounds, RoundSetup hold, Action giveBack, TimedAcquire acquire, Action holding, Action timedOut)
      throws Exception {
    inRounds(4, rounds, hold, (i, r) -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      if (i == 0) {
        spinFor(rnd.nextLong(20_000));
        giveBack.run();
      } else if (acquire.acquire(Duration.ofNanos(rnd.nextLong(30_000)))) {
        holding.run();
      } else {
        timedOut.run();
      }
    });
  }

  /** Spins for about {@code nanos}: a random delay that keeps the thread on its core. */
  static void spinFor(long nanos) {
    long until = System.nanoTime() + nanos;
    while (System.nanoTime() < until) Thread.onSpinWait();
  }
}
