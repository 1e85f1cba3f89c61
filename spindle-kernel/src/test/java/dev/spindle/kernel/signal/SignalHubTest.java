package dev.spindle.kernel.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.ReactorTesting;
import dev.spindle.kernel.wait.TaskWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SignalHubTest {
  private static final int HUP = 1, INT = 2, USR1 = 10, TERM = 15, WINCH = 28;
  private static final Duration LONG = Duration.ofSeconds(5);

  @Test
  void everyListenerOfASignalGetsEachDelivery_inEveryScope() throws Exception {
    SignalHub hub = new SignalHub();
    try (SignalHub.Scope a = hub.newScope(); SignalHub.Scope b = hub.newScope()) {
      SignalListener a1 = a.listen(USR1), a2 = a.listen(USR1, HUP), b1 = b.listen(USR1), other = b.listen(TERM);
      assertEquals(SignalHub.Outcome.DELIVERED, hub.raise(USR1));
      assertEquals(USR1, a1.poll());
      assertEquals(USR1, a2.poll());
      assertEquals(USR1, b1.poll());
      assertEquals(0, other.poll());
      assertEquals(0, a1.poll());
    }
  }

  @Test
  void twoDeliveriesAreTakenTwice_lowestNumberFirst() {
    SignalHub hub = new SignalHub();
    try (SignalHub.Scope s = hub.newScope()) {
      SignalListener l = s.listen(TERM, USR1, HUP);
      hub.raise(TERM);
      hub.raise(USR1);
      hub.raise(USR1);
      assertTrue(l.ready());
      assertEquals(USR1, l.poll());
      assertEquals(USR1, l.poll());
      assertEquals(TERM, l.poll());
      assertEquals(0, l.poll());
      assertFalse(l.ready());
    }
  }

  @Test
  void withoutListeners_blockedIsHeldForTheNextListener_ignoredIsDropped_elseDefault() throws Exception {
    SignalHub hub = new SignalHub();
    try (SignalHub.Scope s = hub.newScope(); SignalHub.Scope t = hub.newScope()) {
      assertEquals(SignalHub.Outcome.DEFAULT, hub.raise(USR1));
      s.ignore(USR1);
      assertEquals(SignalHub.Outcome.DROPPED, hub.raise(USR1));
      s.reset(USR1);
      assertEquals(SignalHub.Outcome.DEFAULT, hub.raise(USR1));

      s.block(USR1);
      assertEquals(SignalHub.Outcome.HELD, hub.raise(USR1));
      assertEquals(SignalHub.Outcome.HELD, hub.raise(USR1));
      assertEquals(0, t.listen(USR1).take(Duration.ZERO), "held in the blocking scope only");
      // t's listener now takes new deliveries; s's held ones wait for a listener in s
      SignalListener l = s.listen(USR1);
      assertEquals(USR1, l.poll());
      assertEquals(USR1, l.poll());
      assertEquals(0, l.poll());

      l.close();
      s.unblock(USR1);
      s.block(HUP);
      hub.raise(HUP);
      s.unblock(HUP); // drops what was held
      assertEquals(0, s.listen(HUP).poll());
    }
  }

  @Test
  void badSignalNumbersAreRefused() {
    SignalHub hub = new SignalHub();
    try (SignalHub.Scope s = hub.newScope()) {
      assertThrows(IllegalArgumentException.class, () -> hub.raise(0));
      assertThrows(IllegalArgumentException.class, () -> hub.raise(SignalHub.MAX + 1));
      assertThrows(IllegalArgumentException.class, () -> s.listen(-3));
      assertThrows(IllegalArgumentException.class, () -> s.block(65));
    }
  }

  @Test
  void takeWaitsForARaiseFromAnotherThread_andTimesOut() throws Exception {
    SignalHub hub = new SignalHub();
    try (SignalHub.Scope s = hub.newScope()) {
      SignalListener l = s.listen(INT);
      long t0 = System.nanoTime();
      assertEquals(0, l.take(Duration.ofMillis(50)));
      assertTrue(System.nanoTime() - t0 >= 50_000_000L);
      CompletableFuture.runAsync(() -> {
        sleep(20);
        hub.raise(INT);
      });
      assertEquals(INT, l.take(LONG));
    }
  }

  @Test
  void closingAScopeClosesItsListeners_wakesTheirWaiters_andStopsDeliveries() throws Exception {
    SignalHub hub = new SignalHub();
    SignalHub.Scope s = hub.newScope();
    SignalListener l = s.listen(INT);
    CompletableFuture<Integer> taken = CompletableFuture.supplyAsync(() -> {
      try {
        return l.take(null);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    sleep(20);
    s.close();
    assertEquals(0, taken.get(5, TimeUnit.SECONDS));
    assertTrue(l.isClosed());
    assertEquals(SignalHub.Outcome.DEFAULT, hub.raise(INT));
    assertThrows(IllegalStateException.class, () -> s.listen(INT));
  }

  /**
   * Listeners on several reactors, each taking signals through TaskWaiters as a coroutine does, while plain
   * threads raise: every listener gets every delivery, and each reactor's wake sources return to zero.
   */
  @Test
  void listenersOnSeveralReactors_getEveryRaiseFromPlainThreads() throws Exception {
    SignalHub hub = new SignalHub();
    int reactors = 3, threads = 4, perThread = 500;
    List<Reactor> rs = new ArrayList<>();
    List<AtomicInteger> got = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(reactors);
    try (SignalHub.Scope s = hub.newScope()) {
      for (int i = 0; i < reactors; i++) {
        Reactor r = Reactor.start("signal-test-" + i);
        rs.add(r);
        AtomicInteger n = new AtomicInteger();
        got.add(n);
        SignalListener l = s.listen(USR1, HUP);
        ReactorTesting.onLoop(r, () -> {
          new Object() {
            void next() {
              while (l.poll() != 0) {
                if (n.incrementAndGet() == threads * perThread) {
                  done.countDown();
                  return;
                }
              }
              TaskWaiter w = new TaskWaiter(r, v -> next());
              if (l.register(w)) w.wake(Boolean.TRUE);
            }
          }.next();
          return null;
        });
      }
      List<Thread> raisers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        raisers.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; i < perThread; i++) hub.raise(i % 2 == 0 ? HUP : USR1);
        }));
      }
      for (Thread t : raisers) t.join();
      assertTrue(done.await(10, TimeUnit.SECONDS), "counts: " + got);
      for (Reactor r : rs) assertEquals(0, (int) ReactorTesting.onLoop(r, r::wakeSources));
    } finally {
      rs.forEach(Reactor::close);
    }
  }

  @Test
  void theOsSignalIsCaughtOnlyWhileWanted_andPassedOnWhenNobodyTakesIt() {
    List<String> calls = new ArrayList<>();
    SignalHub hub = new SignalHub(new SignalHub.Os() {
      @Override
      public boolean catchable(int sig) {
        return sig == TERM || sig == INT;
      }

      @Override
      public void install(int sig, SignalHub h) {
        calls.add("install " + sig);
      }

      @Override
      public void restore(int sig) {
        calls.add("restore " + sig);
      }

      @Override
      public void passOn(int sig) {
        calls.add("passOn " + sig);
      }
    });
    SignalHub.Scope s = hub.newScope();
    SignalListener l = s.listen(TERM, USR1);
    s.listen(TERM);
    s.ignore(INT);
    s.block(USR1); // not catchable: raise only
    assertEquals(List.of("install 15", "install 2"), calls);
    hub.fromOs(TERM);
    assertEquals(TERM, l.poll());
    hub.fromOs(INT); // ignored
    assertEquals(List.of("install 15", "install 2"), calls);
    s.reset(INT);
    hub.fromOs(INT); // a late delivery nobody wants any more
    s.close();
    assertEquals(List.of("install 15", "install 2", "restore 2", "passOn 2", "restore 15"), calls);
    assertTrue(hub.catchesOs(TERM));
    assertFalse(hub.catchesOs(USR1));
  }

  /** A real OS signal through the JVM's hub: SIGWINCH, whose default is to be ignored, so a miss cannot kill the test JVM. */
  @Test
  void aRealOsSignalReachesTheProcessHub() throws Exception {
    try (SignalHub.Scope s = SignalHub.process().newScope()) {
      SignalListener l = s.listen(WINCH);
      Process kill = new ProcessBuilder("kill", "-WINCH", Long.toString(ProcessHandle.current().pid())).start();
      assertEquals(0, kill.waitFor());
      assertEquals(WINCH, l.take(LONG));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
