package dev.spindle.kernel.sync;

import static dev.spindle.kernel.sync.SharedQueue.EMPTY;
import static dev.spindle.kernel.sync.SyncTesting.LONG;
import static dev.spindle.kernel.sync.SyncTesting.race;
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
import dev.spindle.kernel.sync.SyncTesting.Blocked;
import dev.spindle.kernel.sync.SyncTesting.Seen;
import dev.spindle.kernel.wait.CountingWaiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedQueueTest {
  private static List<Object> drain(SharedQueue q) {
    List<Object> out = new ArrayList<>();
    for (Object x; (x = q.poll()) != EMPTY; ) out.add(x);
    return out;
  }

  private static void offerAll(SharedQueue q, Object... items) {
    for (Object x : items) assertTrue(q.offer(x), "offer " + x);
  }

  /* ---- orders ---- */

  @Test
  void fifo_itemsLeaveInArrivalOrderNullIncluded() {
    SharedQueue q = SharedQueue.fifo(0);
    offerAll(q, "a", null, "c");
    assertEquals(3, q.size());
    assertEquals(Arrays.asList("a", null, "c"), drain(q));
    assertSame(EMPTY, q.poll());
    assertTrue(q.isEmpty());
  }

  @Test
  void lifo_newestLeavesFirst() {
    SharedQueue q = SharedQueue.lifo(0);
    offerAll(q, 1, 2, 3);
    assertEquals(List.of(3, 2, 1), drain(q));
  }

  @Test
  void priority_lowestFirstAndEqualItemsInArrivalOrder() {
    Comparator<Object> byLetter = Comparator.comparing(x -> ((String) x).charAt(0));
    SharedQueue q = SharedQueue.priority(0, byLetter);
    offerAll(q, "c1", "a1", "b1", "a2", "c2", "a3");
    assertEquals(List.of("a1", "a2", "a3", "b1", "c1", "c2"), drain(q));
  }

  @Test
  void priority_comparatorThrowsOnPut_exceptionPropagatesAndNothingIsAccepted() throws Exception {
    SharedQueue q = SharedQueue.priority(0, (a, b) -> ((Integer) a).compareTo((Integer) b));
    offerAll(q, 2);
    assertThrows(ClassCastException.class, () -> q.offer("not a number"));
    assertEquals(1, q.size());
    assertEquals(List.of(2), drain(q));
    q.taskDone();
    assertTrue(q.join(Duration.ZERO), "the refused item was never counted as unfinished");
  }

  @Test
  void priority_comparatorThrowsAdmittingWaitingPutter_itemPlacedByArrivalNotLost() {
    SharedQueue q = SharedQueue.priority(2, (a, b) -> ((Integer) a).compareTo((Integer) b));
    offerAll(q, 1, 2);
    CountingWaiter putter = new CountingWaiter();
    assertFalse(q.registerPut(putter, "not a number"));
    assertEquals(1, q.poll(), "the get succeeds whatever the putter's item is");
    assertEquals(1, putter.wakes.get());
    assertEquals(List.of(2, "not a number"), drain(q));
  }

  @Test
  void priority_nullComparator_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> SharedQueue.priority(0, null));
  }

  /* ---- bounds ---- */

  @Test
  void offer_full_returnsFalseAndKeepsItems() {
    SharedQueue q = SharedQueue.fifo(2);
    assertFalse(q.isFull());
    offerAll(q, "a", "b");
    assertTrue(q.isFull());
    assertFalse(q.offer("c"));
    assertEquals(List.of("a", "b"), drain(q));
  }

  @Test
  void offer_maxsizeZeroOrNegative_unbounded() {
    for (SharedQueue q : List.of(SharedQueue.fifo(0), SharedQueue.lifo(-1))) {
      for (int i = 0; i < 10_000; i++) assertTrue(q.offer(i));
      assertFalse(q.isFull());
      assertEquals(10_000, q.size());
    }
  }

  @Test
  void offer_emptyMarker_throwsIllegalArgumentException() {
    SharedQueue q = SharedQueue.fifo(0);
    assertThrows(IllegalArgumentException.class, () -> q.offer(EMPTY));
    assertThrows(IllegalArgumentException.class, () -> q.registerPut(new CountingWaiter(), EMPTY));
    assertTrue(q.isEmpty());
    assertEquals("EMPTY", EMPTY.toString());
  }

  /* ---- hand-off to getters ---- */

  @Test
  void offer_gettersWaiting_handsItemsToThemInOrderBypassingTheQueue() {
    SharedQueue q = SharedQueue.fifo(1);
    List<CountingWaiter> getters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CountingWaiter g = new CountingWaiter();
      assertSame(EMPTY, q.registerGet(g));
      getters.add(g);
    }
    offerAll(q, "a", null);
    assertEquals(0, q.size());
    assertEquals("a", getters.get(0).value.get());
    assertEquals(1, getters.get(1).wakes.get());
    assertNull(getters.get(1).value.get());
    assertEquals(0, getters.get(2).wakes.get());
  }

  @Test
  void registerGet_itemWaiting_returnsItWithoutQueueing() {
    SharedQueue q = SharedQueue.fifo(0);
    offerAll(q, "a");
    CountingWaiter g = new CountingWaiter();
    assertEquals("a", q.registerGet(g));
    q.offer("b");
    assertEquals(0, g.wakes.get());
    assertEquals(1, q.size());
  }

  @Test
  void offer_getterCancelledNotYetUnregistered_itemGoesToNextGetterOrQueue() {
    SharedQueue q = SharedQueue.fifo(0);
    CountingWaiter gaveUp = new CountingWaiter();
    CountingWaiter next = new CountingWaiter();
    q.registerGet(gaveUp);
    q.registerGet(next);
    assertTrue(gaveUp.cancel());
    offerAll(q, "a", "b");
    assertEquals(0, gaveUp.wakes.get());
    assertEquals("a", next.value.get());
    assertEquals(List.of("b"), drain(q));
  }

  /* ---- admission of putters ---- */

  @Test
  void poll_fullWithPutters_admitsOldestPutterAndNewcomerCannotBarge() {
    SharedQueue q = SharedQueue.fifo(2);
    offerAll(q, "a", "b");
    CountingWaiter p1 = new CountingWaiter();
    CountingWaiter p2 = new CountingWaiter();
    assertFalse(q.registerPut(p1, "c"));
    assertFalse(q.registerPut(p2, "d"));
    assertEquals("a", q.poll());
    assertEquals(1, p1.wakes.get());
    assertEquals(Boolean.TRUE, p1.value.get());
    assertEquals(0, p2.wakes.get());
    assertTrue(q.isFull(), "the putter's item took the free place");
    assertFalse(q.offer("e"), "no barging past a waiting putter");
    assertEquals(List.of("b", "c", "d"), drain(q));
    assertEquals(1, p2.wakes.get());
  }

  @Test
  void unregisterPut_stillQueued_withdrawsItem() {
    SharedQueue q = SharedQueue.fifo(1);
    offerAll(q, "a");
    CountingWaiter p = new CountingWaiter();
    q.registerPut(p, "b");
    assertTrue(p.cancel());
    assertTrue(q.unregisterPut(p), "withdrawn: the put did not happen");
    assertEquals(List.of("a"), drain(q));
  }

  @Test
  void unregisterPut_cancelledBeforeAdmission_skippedAndWithdrawn() {
    SharedQueue q = SharedQueue.fifo(1);
    offerAll(q, "a");
    CountingWaiter gaveUp = new CountingWaiter();
    CountingWaiter next = new CountingWaiter();
    q.registerPut(gaveUp, "b");
    q.registerPut(next, "c");
    assertTrue(gaveUp.cancel());
    assertEquals("a", q.poll());
    assertTrue(q.unregisterPut(gaveUp));
    assertEquals(List.of("c"), drain(q));
  }

  @Test
  void unregisterPut_admittedBeforeItsCancel_reportsThePutHappened() {
    // the order a timeout that loses the race produces: admitted (its wake then fails), then unregistered
    SharedQueue q = SharedQueue.fifo(1);
    offerAll(q, "a");
    CountingWaiter p = new CountingWaiter();
    q.registerPut(p, "b");
    assertEquals("a", q.poll());
    assertFalse(q.unregisterPut(p), "admitted: the put happened");
    assertEquals(List.of("b"), drain(q));
  }

  /* ---- put, take ---- */

  @Test
  void take_emptyUntilTimeout_returnsEmpty() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    assertSame(EMPTY, q.take(Duration.ofMillis(10)));
    assertSame(EMPTY, q.take(Duration.ZERO));
    q.offer("a");
    assertEquals("a", q.take(Duration.ZERO));
  }

  @Test
  void put_fullUntilTimeout_returnsFalseAndItemIsNotPut() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    assertTrue(q.put("a", Duration.ZERO));
    assertFalse(q.put("b", Duration.ofMillis(10)));
    assertFalse(q.put("c", Duration.ZERO));
    assertEquals(List.of("a"), drain(q));
  }

  @Test
  void take_parkedThenOffered_returnsTheItem() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    Blocked t = startParked("taker", () -> q.take(LONG));
    q.offer("x");
    assertEquals("x", t.get());
    assertTrue(q.isEmpty());
  }

  @Test
  void put_parkedThenPolled_returnsTrue() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    q.offer("a");
    Blocked t = startParked("putter", () -> q.put("b", LONG));
    assertEquals("a", q.poll());
    assertEquals(Boolean.TRUE, t.get());
    assertEquals(List.of("b"), drain(q));
  }

  @Test
  void put_interruptedWhileParked_throwsAndItemIsNotPut() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    q.offer("a");
    Blocked t = startParked("putter", () -> q.put("b", LONG));
    t.thread().interrupt();
    assertTrue(t.get() instanceof InterruptedException);
    assertEquals(List.of("a"), drain(q));
  }

  @Test
  void take_interruptedWhileParked_throwsAndTakesNothing() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    Blocked t = startParked("taker", () -> q.take(LONG));
    t.thread().interrupt();
    assertTrue(t.get() instanceof InterruptedException);
    q.offer("a");
    assertEquals(List.of("a"), drain(q));
  }

  @Test
  void take_parkedThreadThenReactorTask_servedInOrder() throws Exception {
    Reactor reactor = Reactor.start("queue-test");
    try {
      SharedQueue q = SharedQueue.fifo(4);
      Blocked thread = startParked("taker", () -> q.take(LONG));
      CompletableFuture<Seen> task = registerOnReactor(reactor, w -> q.registerGet(w) != EMPTY);
      q.offer("first");
      q.offer("second");
      assertEquals("first", thread.get());
      Seen seen = task.get(5, TimeUnit.SECONDS);
      assertEquals("second", seen.value());
      assertSame(ReactorTesting.onLoop(reactor, Thread::currentThread), seen.thread());
      assertTrue(q.isEmpty());
    } finally {
      reactor.close();
    }
  }

  /* ---- tasks ---- */

  @Test
  void taskDone_moreThanAccepted_throwsIllegalStateException() {
    SharedQueue q = SharedQueue.fifo(0);
    IllegalStateException e = assertThrows(IllegalStateException.class, q::taskDone);
    assertEquals("task_done() called too many times", e.getMessage());
    q.offer("a");
    q.poll();
    q.taskDone();
    assertThrows(IllegalStateException.class, q::taskDone);
  }

  @Test
  void join_waitsUntilEveryAcceptedItemIsDone() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    assertTrue(q.registerJoin(new CountingWaiter()), "nothing unfinished");
    CountingWaiter getter = new CountingWaiter();
    q.registerGet(getter);
    q.offer("handed"); // straight to the getter: still counts
    q.offer("queued");
    CountingWaiter putter = new CountingWaiter();
    q.registerPut(putter, "admitted");
    CountingWaiter joiner = new CountingWaiter();
    assertFalse(q.registerJoin(joiner));
    assertFalse(q.join(Duration.ofMillis(5)));
    q.poll();
    q.poll();
    q.taskDone();
    q.taskDone();
    assertEquals(0, joiner.wakes.get());
    Blocked parked = startParked("joiner", () -> q.join(LONG));
    q.taskDone();
    assertEquals(1, joiner.wakes.get());
    assertEquals(Boolean.TRUE, parked.get());
    assertTrue(q.join(Duration.ZERO));
  }

  @Test
  void join_putWithdrawn_isNotCounted() throws Exception {
    SharedQueue q = SharedQueue.fifo(1);
    q.offer("a");
    assertFalse(q.put("b", Duration.ZERO));
    q.poll();
    q.taskDone();
    assertTrue(q.join(Duration.ZERO));
  }

  /* ---- contention ---- */

  /**
   * Runs {@code producers} threads that put the items {@code p * perProducer + k} in order, each retrying
   * an item until its put reports success, and {@code consumers} threads that take until the producers are
   * done and the queue is empty. Every item must arrive exactly once, and each consumer must see each
   * producer's items in order.
   */
  private static void pump(SharedQueue q, int producers, int perProducer, int consumers, long maxTimeoutNanos)
      throws Exception {
    int total = producers * perProducer;
    AtomicIntegerArray seen = new AtomicIntegerArray(total);
    AtomicInteger taken = new AtomicInteger();
    AtomicInteger producing = new AtomicInteger(producers);
    race(producers + consumers, i -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      if (i < producers) {
        for (int k = 0; k < perProducer; k++) {
          Integer item = i * perProducer + k;
          while (!q.put(item, Duration.ofNanos(rnd.nextLong(maxTimeoutNanos)))) {
            // not put: the same item again
          }
        }
        producing.decrementAndGet();
        return;
      }
      int[] last = new int[producers];
      Arrays.fill(last, -1);
      while (true) {
        Object x = q.take(Duration.ofNanos(rnd.nextLong(maxTimeoutNanos)));
        if (x == EMPTY) {
          if (producing.get() == 0 && q.isEmpty()) return; // every accepted item is in the queue or taken
          continue;
        }
        int item = (Integer) x;
        int p = item / perProducer, k = item % perProducer;
        assertTrue(k > last[p], "producer " + p + ": " + k + " after " + last[p]);
        last[p] = k;
        assertEquals(0, seen.getAndIncrement(item), "delivered twice: " + item);
        taken.incrementAndGet();
      }
    });
    assertEquals(total, taken.get(), "items lost");
    assertSame(EMPTY, q.poll());
    for (int i = 0; i < total; i++) q.taskDone();
    assertTrue(q.join(Duration.ZERO), "the unfinished count matches the items accepted");
  }

  @Test
  void putTake_8ProducersThrough1024Slots_everyItemOnceInProducerOrder() throws Exception {
    pump(SharedQueue.fifo(1024), 8, 100_000, 4, TimeUnit.MILLISECONDS.toNanos(5));
  }

  @Test
  void putTake_shortTimeoutsOnBothSides_nothingLostOrDuplicated() throws Exception {
    // a tiny queue and timeouts of a few microseconds: putters and getters wait and give up all the time,
    // so wakes race cancels on both sides
    pump(SharedQueue.fifo(2), 3, 20_000, 3, 20_000);
  }
}
