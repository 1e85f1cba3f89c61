package dev.spindle.kernel.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link SessionStore} of one process, kept in memory. Reads take no lock; a write to an existing
 * entry is lock-free (only the bin lock {@link ConcurrentHashMap} holds for a moment when an entry is
 * created or unlinked is ever taken).
 *
 * <p>How: a {@link ConcurrentHashMap} maps each key to a slot, and a slot holds the entry's current state
 * as an immutable cell. A read is a map lookup and one volatile read; a write builds a new cell from the
 * current one and installs it with a single compare-and-set on the slot, retrying if another write came
 * first. Deleting marks the slot dead (a terminal state) before unlinking it, so no write can land on a
 * slot after its entry was deleted (its bytes would stay counted in the pool size for an entry the pool
 * no longer holds). Writes to different entries never touch the same slot.
 *
 * <p>Integer values are kept as a {@code long}, not as text: a run of increments parses nothing and
 * formats nothing; the decimal text is made only when the entry is read or compared. Text that was
 * {@link #set} is kept verbatim and parsed by the first increment or decrement that meets it.
 *
 * <p>Cost: every write reads {@link System#nanoTime()} for its time stamp and raises one store-wide
 * clock with a compare-and-set (see {@link SessionStore} on time stamps), so writes to different entries
 * do share that one word.
 */
public final class InMemorySessionStore implements SessionStore {

  /**
   * All entries, and their byte count. {@link #reset()} replaces the whole generation with a fresh one
   * in one volatile write, which is what makes reset atomic.
   *
   * <p>Invariant: every operation reads {@code generation} exactly once and works on that generation
   * only. An operation still working on a generation that has been replaced takes effect (is
   * linearised) just before the reset that replaced it: it started before the reset, and nothing that
   * starts after the reset can see that generation.
   */
  private volatile Generation generation = new Generation();

  /** {@link System#nanoTime()} when the store was made; time stamps count from here. */
  private final long origin = System.nanoTime();

  /**
   * The greatest time stamp handed out so far (a max-register). Invariant: every stamp a write records
   * is {@code <= clock} by the time the write returns, and every new stamp is {@code >=} the value of
   * {@code clock} when it is taken; see {@link #tick()}.
   */
  private final AtomicLong clock = new AtomicLong();

  /** A fresh, empty store. */
  public InMemorySessionStore() {}

  @Override
  public void set(EntryKey key, String value, long handle) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Generation g = generation;
    int valueBytes = Utf8.length(value);
    long now = tick();
    Slot slot = g.map.get(key);
    for (; ; ) {
      if (slot == null) {
        slot = g.install(key, Cell.ofText(key, null, value, valueBytes, handle, now));
        if (slot == null) return;
        continue;
      }
      Cell cur = slot.cell;
      if (cur == Cell.DEAD) {
        slot = g.unlink(key, slot);
        continue;
      }
      Cell next = Cell.ofText(key, cur, value, valueBytes, handle, stamp(now, cur));
      if (slot.cas(cur, next)) {
        g.account(cur, next);
        return;
      }
    }
  }

  @Override
  public Optional<Entry> get(EntryKey key) {
    Objects.requireNonNull(key, "key");
    Cell cell = Generation.live(generation.map.get(key));
    return cell == null ? Optional.empty() : Optional.of(cell.toEntry(key));
  }

  @Override
  public long increment(EntryKey key, long handle) {
    return add(key, 1, handle);
  }

  @Override
  public long decrement(EntryKey key, long handle) {
    return add(key, -1, handle);
  }

  /** Adds {@code delta} (+1 or -1) and returns the value before. */
  private long add(EntryKey key, int delta, long handle) {
    Objects.requireNonNull(key, "key");
    Generation g = generation;
    long now = tick();
    Slot slot = g.map.get(key);
    for (; ; ) {
      if (slot == null) {
        slot = g.install(key, Cell.ofInteger(key, null, delta, handle, now));
        if (slot == null) return 0L;
        continue;
      }
      Cell cur = slot.cell;
      if (cur == Cell.DEAD) {
        slot = g.unlink(key, slot);
        continue;
      }
      long before = cur.integer(key); // throws before anything is written
      long after = before + delta;
      if (((before ^ after) & (delta ^ after)) < 0) {
        throw new SessionValueException(key, cur.text(), "would leave the range of a 64-bit integer");
      }
      Cell next = Cell.ofInteger(key, cur, after, handle, stamp(now, cur));
      if (slot.cas(cur, next)) {
        g.account(cur, next);
        return before;
      }
    }
  }

  @Override
  public boolean testAndSet(
      EntryKey key, boolean match, String compare, String data, long handle) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(compare, "compare");
    Objects.requireNonNull(data, "data");
    Generation g = generation;
    Slot slot = g.map.get(key);
    // A test that is not met on an existing entry writes nothing: it takes effect at this read, and
    // spinning on a token someone else holds costs no write to the shared entry.
    Cell seen = Generation.live(slot);
    if (seen != null && seen.textEquals(compare) != match) return false;
    int dataBytes = Utf8.length(data);
    long now = tick();
    for (; ; ) {
      if (slot == null) {
        // A missing entry differs from every compare value, so only a "no match" test is met. Either
        // way the test registers the entry, as in Legato: set to data, or else empty and unowned.
        boolean met = !match;
        Cell first =
            met
                ? Cell.ofText(key, null, data, dataBytes, handle, now)
                : Cell.ofText(key, null, "", 0, 0L, now);
        slot = g.install(key, first);
        if (slot == null) return met;
        continue;
      }
      Cell cur = slot.cell;
      if (cur == Cell.DEAD) {
        slot = g.unlink(key, slot);
        continue;
      }
      if (cur.textEquals(compare) != match) return false; // takes effect at the read of cur
      Cell next = Cell.ofText(key, cur, data, dataBytes, handle, stamp(now, cur));
      if (slot.cas(cur, next)) {
        g.account(cur, next);
        return true;
      }
    }
  }

  @Override
  public boolean delete(EntryKey key) {
    Objects.requireNonNull(key, "key");
    Generation g = generation;
    Slot slot = g.map.get(key);
    while (slot != null) {
      Cell cur = slot.cell;
      if (cur == Cell.DEAD) {
        slot = g.unlink(key, slot);
      } else if (slot.cas(cur, Cell.DEAD)) {
        g.bytes.add(-cur.size());
        g.map.remove(key, slot);
        return true;
      }
    }
    return false;
  }

  @Override
  public void reset() {
    generation = new Generation();
  }

  @Override
  public List<Entry> enumerate() {
    Generation g = generation;
    List<Entry> out = new ArrayList<>(g.map.size());
    for (Map.Entry<EntryKey, Slot> e : g.map.entrySet()) {
      Cell cell = Generation.live(e.getValue());
      if (cell != null) out.add(cell.toEntry(e.getKey()));
    }
    out.sort(InMemorySessionStore::byKey);
    return out;
  }

  /** The order of {@link #enumerate()}: group, then section, then name. */
  private static int byKey(Entry a, Entry b) {
    int c = a.group().compareTo(b.group());
    if (c == 0) c = a.section().compareTo(b.section());
    return c != 0 ? c : a.name().compareTo(b.name());
  }

  @Override
  public long poolSize() {
    return generation.bytes.sum();
  }

  /**
   * A time stamp that is at least every stamp taken by a write that returned before this call began:
   * the clock is a max-register that each write raises to its own stamp before it goes on. This keeps
   * stamps monotonic even on a platform whose {@code nanoTime} were not monotonic across CPUs.
   */
  private long tick() {
    long now = System.nanoTime() - origin;
    long last;
    while (now > (last = clock.get())) {
      if (clock.compareAndSet(last, now)) return now;
    }
    return last;
  }

  /** The stamp of a write taken at {@code now} that replaces {@code old}: never earlier than old's. */
  private static long stamp(long now, Cell old) {
    return old == null ? now : Math.max(now, old.stamp);
  }

  /** The entries of one generation of the store, and the bytes they hold. */
  private static final class Generation {
    /**
     * The entries, one {@link Slot} per key. Invariants: a key's slot is added only by {@code
     * putIfAbsent} ({@link #install}), already holding its first cell; it is removed only once it is
     * dead ({@link Cell#DEAD}), by {@code remove(key, slot)}, so a live slot is never unlinked and a
     * dead one is never written again. Hence at most one live slot per key, and every write to an
     * entry is a compare-and-set on that one slot.
     */
    final ConcurrentHashMap<EntryKey, Slot> map = new ConcurrentHashMap<>();

    /**
     * The sum of {@link Cell#size()} over the live cells of {@link #map}. Invariant: each change of a
     * live cell (a successful install, compare-and-set, or kill) adds exactly its size difference here,
     * once, by the thread that made it and right after making it; failed attempts add nothing. A
     * LongAdder, because many writers may change sizes at once; its sum is exact once they are done.
     */
    final LongAdder bytes = new LongAdder();

    /**
     * Adds a slot holding {@code first} for {@code key}. Returns null if it was added, else the slot
     * that was already there (the caller retries on it).
     */
    Slot install(EntryKey key, Cell first) {
      Slot prior = map.putIfAbsent(key, new Slot(first));
      if (prior == null) bytes.add(first.size());
      return prior;
    }

    /** Removes the dead {@code slot} of {@code key} (if still there) and returns the key's slot now. */
    Slot unlink(EntryKey key, Slot slot) {
      map.remove(key, slot);
      return map.get(key);
    }

    /** Adds the size difference between {@code old} and {@code next}. */
    void account(Cell old, Cell next) {
      long diff = next.size() - old.size();
      if (diff != 0) bytes.add(diff);
    }

    /** The cell of {@code slot} if it is live, else null (no slot, or a deleted one). */
    static Cell live(Slot slot) {
      if (slot == null) return null;
      Cell cell = slot.cell;
      return cell == Cell.DEAD ? null : cell;
    }
  }

  /** The mutable home of one entry in a generation: a reference to its current immutable cell. */
  private static final class Slot {
    private static final VarHandle CELL;

    static {
      try {
        CELL = MethodHandles.lookup().findVarHandle(Slot.class, "cell", Cell.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /**
     * The entry's state. Never null. Invariant: changed only by {@link #cas} from the value the writer
     * read and built its new cell from (so read-modify-writes are atomic and none is lost); once it is
     * {@link Cell#DEAD} it never changes again.
     */
    volatile Cell cell;

    Slot(Cell first) {
      this.cell = first;
    }

    boolean cas(Cell expected, Cell next) {
      return CELL.compareAndSet(this, expected, next);
    }
  }

  /**
   * The state of one entry: immutable, so a reader that got it from the map sees one whole write.
   * Either text ({@code text != null}) or an integer ({@code text == null}, value in {@code number}).
   */
  private static final class Cell {
    /** The state of a deleted entry's slot. */
    static final Cell DEAD = new Cell("", 0L, 0, 0, 0L, 0L);

    final String text;
    final long number;
    /** UTF-8 bytes of the key's group, section and name; computed once when the entry is created. */
    final int keyBytes;
    /** UTF-8 bytes of the data as text. */
    final int dataBytes;
    final long handle;
    final long stamp;

    private Cell(String text, long number, int keyBytes, int dataBytes, long handle, long stamp) {
      this.text = text;
      this.number = number;
      this.keyBytes = keyBytes;
      this.dataBytes = dataBytes;
      this.handle = handle;
      this.stamp = stamp;
    }

    static Cell ofText(EntryKey key, Cell old, String text, int textBytes, long handle, long stamp) {
      return new Cell(text, 0L, keyBytes(key, old), textBytes, handle, stamp);
    }

    static Cell ofInteger(EntryKey key, Cell old, long value, long handle, long stamp) {
      return new Cell(null, value, keyBytes(key, old), Decimal.length(value), handle, stamp);
    }

    private static int keyBytes(EntryKey key, Cell old) {
      if (old != null) return old.keyBytes;
      return Utf8.length(key.group()) + Utf8.length(key.section()) + Utf8.length(key.name());
    }

    long size() {
      return (long) ENTRY_OVERHEAD_BYTES + keyBytes + dataBytes;
    }

    /** The data as text. */
    String text() {
      return text != null ? text : Long.toString(number);
    }

    /** The data as an integer, parsing text if need be. */
    long integer(EntryKey key) {
      if (text == null) return number;
      if (!Decimal.isInteger(text)) {
        throw new SessionValueException(key, text, "is not a decimal integer");
      }
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new SessionValueException(key, text, "is out of the range of a 64-bit integer");
      }
    }

    boolean textEquals(String s) {
      return text != null ? text.equals(s) : Decimal.equals(number, s);
    }

    Entry toEntry(EntryKey key) {
      return new Entry(key.group(), key.section(), key.name(), text(), handle, stamp);
    }
  }

  /** Decimal text of {@code long}s without making strings. */
  static final class Decimal {
    private Decimal() {}

    /** The length of {@code Long.toString(v)}. */
    static int length(long v) {
      int sign = 0;
      if (v < 0) {
        if (v == Long.MIN_VALUE) return 20;
        v = -v;
        sign = 1;
      }
      int digits = 1;
      for (long p = 10; digits < 19 && v >= p; p *= 10) digits++;
      return sign + digits;
    }

    /** Whether {@code s} equals {@code Long.toString(v)}. */
    static boolean equals(long v, String s) {
      int n = s.length();
      if (n != length(v)) return false;
      if (v == Long.MIN_VALUE) return s.equals("-9223372036854775808");
      int start = 0;
      if (v < 0) {
        if (s.charAt(0) != '-') return false;
        v = -v;
        start = 1;
      }
      for (int i = n - 1; i >= start; i--) {
        if (s.charAt(i) != (char) ('0' + (v % 10))) return false;
        v /= 10;
      }
      return true;
    }

    /** Whether {@code s} is an optional sign and one or more ASCII digits (range not checked). */
    static boolean isInteger(String s) {
      int n = s.length();
      int i = n > 0 && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
      if (i == n) return false;
      for (; i < n; i++) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') return false;
      }
      return true;
    }
  }

  /** UTF-8 lengths without encoding. */
  static final class Utf8 {
    private Utf8() {}

    /**
     * The length of {@code s.getBytes(UTF_8)}: 1, 2 or 3 bytes per char, 4 per surrogate pair, and 1
     * for an unpaired surrogate (which the encoder replaces with {@code '?'}).
     */
    static int length(String s) {
      int n = s.length();
      int bytes = n;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) continue;
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // two chars, four bytes
          i++;
        } else if (Character.isSurrogate(c)) {
          // unpaired: encoded as '?', one byte
        } else {
          bytes += 2;
        }
      }
      return bytes;
    }
  }
}
