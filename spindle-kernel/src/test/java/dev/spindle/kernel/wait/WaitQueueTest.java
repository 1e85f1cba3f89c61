package dev.spindle.kernel.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WaitQueueTest {
  /** A waiter that only records whether it was woken. */
  private static final class TestWaiter extends Waiter {
    final String name;
    int wakes;

    TestWaiter(String name) {
      this.name = name;
    }

    @Override
    protected void onWake(Object value) {
      wakes++;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static List<TestWaiter> queueOf(WaitQueue q, int n) {
    List<TestWaiter> ws = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestWaiter w = new TestWaiter("w" + i);
      ws.add(w);
      q.add(w);
    }
    return ws;
  }

  @Test
  void takeFirst_emptyQueue_returnsNull() {
    assertNull(new WaitQueue().takeFirst());
  }

  @Test
  void takeFirst_severalWaiters_returnsThemInFifoOrder() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 5);
    assertEquals(5, q.size());
    for (TestWaiter w : ws) assertSame(w, q.takeFirst());
    assertNull(q.takeFirst());
    assertEquals(0, q.size());
  }

  @Test
  void takeFirst_doesNotWake_returnsWaiterStillWaiting() {
    WaitQueue q = new WaitQueue();
    TestWaiter w = queueOf(q, 1).get(0);
    Waiter taken = q.takeFirst();
    assertSame(w, taken);
    assertTrue(taken.isWaiting(), "the caller wakes it, after unlocking");
    assertEquals(0, w.wakes);
  }

  @Test
  void takeFirst_cancelledWaitersAhead_skipsThemAndReturnsFirstLive() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 4);
    ws.get(0).cancel();
    ws.get(1).cancel();
    ws.get(3).cancel();
    assertSame(ws.get(2), q.takeFirst());
    assertNull(q.takeFirst(), "the cancelled one at the back is skipped too");
    assertEquals(0, q.size());
  }

  @Test
  void takeFirst_wokenWaiterInQueue_skipsIt() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 2);
    ws.get(0).wake("elsewhere");
    assertSame(ws.get(1), q.takeFirst());
  }

  @Test
  void takeFirst_timedOutParkedWaiter_neverConsumesTheSignal() throws Exception {
    WaitQueue q = new WaitQueue();
    ParkedWaiter timedOut = new ParkedWaiter();
    q.add(timedOut);
    TestWaiter live = new TestWaiter("live");
    q.add(live);
    assertSame(ParkedWaiter.TIMED_OUT, timedOut.await(0));
    // a primitive handing one signal over: it must reach the live waiter
    Waiter chosen = q.takeFirst();
    assertSame(live, chosen);
    assertTrue(chosen.wake("signal"));
    assertEquals(1, live.wakes);
  }

  @Test
  void takeFirst_allCancelled_returnsNullAndEmptiesQueue() {
    WaitQueue q = new WaitQueue();
    for (TestWaiter w : queueOf(q, 3)) w.cancel();
    assertEquals(3, q.size(), "cancelled waiters stay until skipped");
    assertNull(q.takeFirst());
    assertEquals(0, q.size());
  }

  @Test
  void takeAll_mixedWaiters_returnsLiveOnesOldestFirstAndClears() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 6);
    ws.get(0).cancel();
    ws.get(2).cancel();
    ws.get(5).wake(null);
    List<Waiter> all = q.takeAll();
    assertEquals(List.of(ws.get(1), ws.get(3), ws.get(4)), all);
    assertEquals(0, q.size());
    assertTrue(q.takeAll().isEmpty());
    assertNull(q.takeFirst());
  }

  @Test
  void takeAll_emptyQueue_returnsEmptyList() {
    assertTrue(new WaitQueue().takeAll().isEmpty());
  }

  @Test
  void takeAll_doesNotWake_returnsWaitersStillWaiting() {
    WaitQueue q = new WaitQueue();
    queueOf(q, 3);
    for (Waiter w : q.takeAll()) assertTrue(w.isWaiting());
  }

  @Test
  void remove_queuedWaiter_removesOnlyThatOne() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 3);
    ws.get(1).cancel();
    q.remove(ws.get(1));
    assertEquals(2, q.size());
    q.remove(ws.get(0)); // a live one can be removed too
    assertEquals(1, q.size());
    assertSame(ws.get(2), q.takeFirst());
    assertNull(q.takeFirst());
  }

  @Test
  void remove_absentWaiter_leavesQueueUnchanged() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 2);
    q.remove(new TestWaiter("stranger"));
    assertEquals(2, q.size());
    assertEquals(List.of(ws.get(0), ws.get(1)), q.takeAll());
  }

  @Test
  void remove_waiterAddedTwice_removesOneOccurrence() {
    WaitQueue q = new WaitQueue();
    TestWaiter a = new TestWaiter("a");
    TestWaiter b = new TestWaiter("b");
    q.add(a);
    q.add(b);
    q.add(a);
    q.remove(a);
    assertEquals(2, q.size());
    assertSame(b, q.takeFirst());
    assertSame(a, q.takeFirst());
  }

  @Test
  void size_countsCancelledWaitersNotYetSkipped() {
    WaitQueue q = new WaitQueue();
    List<TestWaiter> ws = queueOf(q, 3);
    ws.get(1).cancel();
    assertEquals(3, q.size());
    assertSame(ws.get(0), q.takeFirst());
    assertEquals(2, q.size());
    assertSame(ws.get(2), q.takeFirst());
    assertEquals(0, q.size());
  }
}
