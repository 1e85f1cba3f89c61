package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.ParkedWaiter;
import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue shared between threads (Python's {@code queue.Queue}, {@code LifoQueue} and {@code
 * PriorityQueue}): items leave in FIFO, LIFO or priority order; a positive maxsize bounds it. Items are any
 * objects, null included; {@link #EMPTY} is never an item. Thread-safe, every operation atomic; waiters may
 * be parked Java threads or tasks on reactors.
 *
 * <p>Hand-off: an item put while a getter waits goes straight to the longest-waiting getter (woken with the
 * item) and never enters the queue. A get from a full queue admits the item of the longest-waiting putter
 * in the same step (the putter is woken with {@code Boolean.TRUE}), so the queue stays full and no other put
 * gets in first.
 *
 * <p>Timeouts: a getter that timed out must not take an item: when its wake fails, the item goes to the
 * next getter, or into the queue. A putter's item is admitted under the queue's lock, so its timeout may
 * lose the race with the admission: {@link #unregisterPut} then reports that the put happened after all.
 * Nothing accepted is lost or delivered twice.
 *
 * <p>Tasks: every accepted item counts as unfinished until {@link #taskDone}; joiners wait for none to be
 * left.
 */
public final class SharedQueue {
  /** The order items leave in. */
  enum Order {
    FIFO,
    LIFO,
    /** Lowest first by the queue's comparator; equal items first in, first out. */
    PRIORITY
  }

  /** What gets return when there is no item; never an item ({@link #offer} refuses it). */
  public static final Object EMPTY = new Object() {
    @Override
    public String toString() {
      return "EMPTY";
    }
  };

  private final ReentrantLock lock = new ReentrantLock();
  private final int maxsize; // <= 0: unbounded
  private final ItemBuffer items; // guarded by lock
  private final WaitQueue getters = new WaitQueue(); // guarded by lock; live getters only while items is empty
  private final WaitQueue putters = new WaitQueue(); // guarded by lock; live putters only while full
  // guarded by lock; the item of each queued putter, until admitted or withdrawn
  private final Map<Waiter, Object> pending = new IdentityHashMap<>();
  private long unfinished; // guarded by lock; items accepted, less taskDone calls
  private final WaitQueue joiners = new WaitQueue(); // guarded by lock; live joiners only while unfinished > 0

  private SharedQueue(Order order, int maxsize, Comparator<Object> comparator) {
    this.items = ItemBuffer.of(order, comparator);
    this.maxsize = maxsize;
  }

  /** First in, first out; {@code maxsize <= 0}: unbounded. */
  public static SharedQueue fifo(int maxsize) {
    return new SharedQueue(Order.FIFO, maxsize, null);
  }

  /** Last in, first out; {@code maxsize <= 0}: unbounded. */
  public static SharedQueue lifo(int maxsize) {
    return new SharedQueue(Order.LIFO, maxsize, null);
  }

  /**
   * Lowest first by {@code comparator}, equal items in arrival order; {@code maxsize <= 0}: unbounded. The
   * comparator runs under the queue's lock: it must be quick and must not touch the queue. What it throws
   * from a put propagates, the item not accepted; if it throws while admitting a waiting putter's item,
   * that item is placed by arrival instead.
   */
  public static SharedQueue priority(int maxsize, Comparator<Object> comparator) {
    return new SharedQueue(Order.PRIORITY, maxsize, Objects.requireNonNull(comparator, "comparator"));
  }

  /** Puts {@code item} if there is room (or a getter waits) and returns true; false if full. Never waits. */
  public boolean offer(Object item) {
    return place(checkItem(item), null);
  }

  /** Takes the next item, or returns {@link #EMPTY} if there is none. Never waits. */
  public Object poll() {
    return get(null);
  }

  /**
   * Puts {@code item} if it can at once and returns true (the waiter is not queued); otherwise queues
   * {@code waiter} with the item, returns false, and the waiter is woken with {@code Boolean.TRUE} once the
   * item is accepted. A waiter that gives up (its cancel succeeded) must be {@linkplain #unregisterPut
   * unregistered}, which says whether the put happened.
   */
  public boolean registerPut(Waiter waiter, Object item) {
    Objects.requireNonNull(waiter, "waiter");
    return place(checkItem(item), waiter);
  }

  /**
   * Forgets a putter that gave up. Returns true if its item was withdrawn (the put did not happen), false
   * if the item had been accepted already (the put happened; its wake lost the race with its cancel).
   */
  public boolean unregisterPut(Waiter waiter) {
    lock.lock();
    try {
      putters.remove(waiter);
      if (!pending.containsKey(waiter)) return false;
      pending.remove(waiter);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next item if there is one and returns it (the waiter is not queued); otherwise queues {@code
   * waiter}, returns {@link #EMPTY}, and the waiter is woken with the next item put. A waiter that gives
   * up (its cancel succeeded) must be unregistered; it has received nothing.
   */
  public Object registerGet(Waiter waiter) {
    Objects.requireNonNull(waiter, "waiter");
    return get(waiter);
  }

  /** Forgets a getter that gave up. */
  public void unregisterGet(Waiter waiter) {
    Waiters.remove(lock, getters, waiter);
  }

  /**
   * Blocks the calling Java thread until {@code item} is accepted (true) or {@code timeout} passes
   * (false: the item was not put). An interrupt ends the wait with InterruptedException if the item was
   * not put; if it was, this returns true with the interrupt flag set. Must not be called on a reactor
   * thread.
   */
  public boolean put(Object item, Duration timeout) throws InterruptedException {
    long nanos = Blocking.nanos(timeout);
    ParkedWaiter waiter = new ParkedWaiter();
    if (registerPut(waiter, item)) return true;
    Object value;
    try {
      value = waiter.await(nanos);
    } catch (InterruptedException e) {
      if (unregisterPut(waiter)) throw e;
      Thread.currentThread().interrupt();
      return true;
    }
    return value != ParkedWaiter.TIMED_OUT || !unregisterPut(waiter);
  }

  /**
   * Blocks the calling Java thread until it takes an item, which it returns, or {@code timeout} passes
   * ({@link #EMPTY}). Interruptible. Must not be called on a reactor thread.
   */
  public Object take(Duration timeout) throws InterruptedException {
    long nanos = Blocking.nanos(timeout);
    ParkedWaiter waiter = new ParkedWaiter();
    Object item = registerGet(waiter);
    if (item != EMPTY) return item;
    item = Blocking.park(waiter, nanos, this::unregisterGet);
    return item == ParkedWaiter.TIMED_OUT ? EMPTY : item;
  }

  /** Items in the queue now (not counting items of waiting putters). */
  public int size() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
  }

  /** True if no item is in the queue now. */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** True if bounded and holding maxsize items. */
  public boolean isFull() {
    lock.lock();
    try {
      return isFullLocked();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks one accepted item as processed; when none is left unfinished, wakes the joiners. Throws
   * IllegalStateException if called more times than items were accepted.
   */
  public void taskDone() {
    List<Waiter> joined;
    lock.lock();
    try {
      if (unfinished <= 0) throw new IllegalStateException("task_done() called too many times");
      joined = finishTask();
    } finally {
      lock.unlock();
    }
    Waiters.wakeAll(joined, Boolean.TRUE);
  }

  /**
   * Returns true if no accepted item is unfinished (the waiter is not queued); otherwise queues {@code
   * waiter}, returns false, and the waiter is woken with {@code Boolean.TRUE} when none is left. A waiter
   * that gives up (its cancel succeeded) must be unregistered.
   */
  public boolean registerJoin(Waiter waiter) {
    return Waiters.register(lock, joiners, waiter, this, q -> q.unfinished == 0);
  }

  /** Forgets a joiner that gave up. */
  public void unregisterJoin(Waiter waiter) {
    Waiters.remove(lock, joiners, waiter);
  }

  /**
   * Blocks the calling Java thread until no accepted item is unfinished (true) or {@code timeout} passes
   * (false). Interruptible. Must not be called on a reactor thread.
   */
  public boolean join(Duration timeout) throws InterruptedException {
    return Blocking.await(timeout, this::registerJoin, this::unregisterJoin);
  }

  private static Object checkItem(Object item) {
    if (item == EMPTY) throw new IllegalArgumentException("EMPTY is not an item");
    return item;
  }

  private boolean isFullLocked() {
    return maxsize > 0 && items.size() >= maxsize;
  }

  /**
   * Hands {@code item} to the longest-waiting getter; else adds it if there is room; else queues {@code
   * putter} with it, if given. True if the item was accepted.
   */
  private boolean place(Object item, Waiter putter) {
    boolean counted = false; // unfinished counts the item: a hand-off to a getter was tried
    while (true) {
      Waiter getter = null;
      boolean accepted = false;
      List<Waiter> joined = List.of();
      lock.lock();
      try {
        getter = getters.takeFirst();
        if (getter != null) {
          if (!counted) unfinished++; // before the wake: the getter may call taskDone at once
          counted = true;
        } else if (!isFullLocked()) {
          items.add(item, false); // may throw (a priority comparator): the item is then not accepted
          if (!counted) unfinished++;
          accepted = true;
        } else if (putter != null) {
          putters.add(putter);
          pending.put(putter, item);
        }
      } finally {
        if (getter == null && !accepted && counted) joined = finishTask(); // the failed hand-off counted it
        lock.unlock();
        Waiters.wakeAll(joined, Boolean.TRUE);
      }
      if (getter == null) return accepted;
      if (getter.wake(item)) return true;
      // the getter gave up: offer the item again, to the next getter or the queue
    }
  }

  /**
   * Takes the next item and admits the longest-waiting putter's item in its place; or, if there is none,
   * queues {@code getter} (if given) and returns EMPTY.
   */
  private Object get(Waiter getter) {
    Object item;
    Waiter admitted;
    lock.lock();
    try {
      if (items.size() == 0) {
        if (getter != null) getters.add(getter);
        return EMPTY;
      }
      item = items.remove();
      admitted = putters.takeFirst();
      if (admitted != null) {
        items.add(pending.remove(admitted), true);
        unfinished++;
      }
    } finally {
      lock.unlock();
    }
    // if the putter gave up meanwhile, its unregisterPut reports that the put happened
    if (admitted != null) admitted.wake(Boolean.TRUE);
    return item;
  }

  /** Under lock: one item less unfinished; returns the joiners to wake when none is left. */
  private List<Waiter> finishTask() {
    return --unfinished == 0 ? joiners.takeAll() : List.of();
  }
}
