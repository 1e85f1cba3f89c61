package dev.spindle.kernel.sync;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The items a {@link SharedQueue} holds, in the order they leave it. Items may be null. Not thread-safe:
 * guarded by the queue's lock.
 */
abstract class ItemBuffer {
  static ItemBuffer of(SharedQueue.Order order, Comparator<Object> comparator) {
    return switch (order) {
      case FIFO -> new Ends(true);
      case LIFO -> new Ends(false);
      case PRIORITY -> new Sorted(Objects.requireNonNull(comparator, "comparator"));
    };
  }

  /**
   * Adds an item. PRIORITY: what the comparator throws propagates and nothing is added, unless {@code
   * lenient}: then the item is placed by arrival among the items it could not be compared with.
   */
  abstract void add(Object item, boolean lenient);

  /** Removes the next item; the buffer must not be empty. */
  abstract Object remove();

  abstract int size();

  /** FIFO (taken from the front) or LIFO (from the back). */
  private static final class Ends extends ItemBuffer {
    private static final Object NULL = new Object(); // stands for a null item: ArrayDeque holds no nulls

    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private final boolean fifo;

    Ends(boolean fifo) {
      this.fifo = fifo;
    }

    @Override
    void add(Object item, boolean lenient) {
      items.addLast(item == null ? NULL : item);
    }

    @Override
    Object remove() {
      Object item = fifo ? items.removeFirst() : items.removeLast();
      return item == NULL ? null : item;
    }

    @Override
    int size() {
      return items.size();
    }
  }

  /**
   * Lowest first by the caller's comparator; equal items by arrival. A TreeSet, because neither a failed
   * insertion nor a removal can lose an item there (removing the first entry compares nothing).
   */
  private static final class Sorted extends ItemBuffer {
    /** {@code compared}: false for an item placed without the comparator. */
    private record Entry(Object item, long seq, boolean compared) {}

    private final TreeSet<Entry> items;
    private long arrivals;

    Sorted(Comparator<Object> comparator) {
      items = new TreeSet<>((a, b) -> {
        if (a.compared() && b.compared()) {
          int c = comparator.compare(a.item(), b.item());
          if (c != 0) return c;
        }
        return Long.compare(a.seq(), b.seq()); // 0 only for the entry itself: no entry ever replaces another
      });
    }

    @Override
    void add(Object item, boolean lenient) {
      long seq = arrivals++;
      try {
        items.add(new Entry(item, seq, true));
      } catch (RuntimeException e) {
        if (!lenient) throw e;
        items.add(new Entry(item, seq, false));
      }
    }

    @Override
    Object remove() {
      return items.pollFirst().item();
    }

    @Override
    int size() {
      return items.size();
    }
  }
}
