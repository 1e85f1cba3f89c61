package dev.spindle.kernel.session;

import java.util.List;
import java.util.Optional;

/**
 * A process-wide pool of named text values that outlives the scripts that write it, so that scripts (and
 * Java code) can share data and coordinate across threads: the "session data" of the Legato model.
 *
 * <h2>Entries</h2>
 *
 * Each entry is named by an {@link EntryKey}: a name, optionally inside a group and a section (empty or
 * null means none; each string at most {@value EntryKey#MAX_LENGTH} characters). An entry holds:
 *
 * <ul>
 *   <li>its <b>data</b>, always text. Integers are kept as their decimal text; {@link #increment} and
 *       {@link #decrement} interpret the text as a signed decimal integer (an optional {@code +} or
 *       {@code -} followed by one or more ASCII digits, within the range of {@code long}, nothing else:
 *       no spaces, no hexadecimal) and leave the result in canonical form ({@code "+007"} incremented
 *       reads back as {@code "8"}). The data has no length limit.
 *   <li>the <b>handle</b> of its last writer: a {@code long} the caller passes (a script's handle; the
 *       overloads without a handle pass {@code 0}, the handle of "Java, no script").
 *   <li>a <b>time stamp</b> of its last write, in <b>nanoseconds</b> since the store was created,
 *       measured with {@link System#nanoTime()}.
 * </ul>
 *
 * <p>An entry exists from the first operation that names it for writing (set, increment, decrement,
 * test-and-set, <em>whether or not that test-and-set sets</em>) until it is {@link #delete deleted} or
 * the store is {@link #reset}.
 *
 * <h2>Thread safety</h2>
 *
 * Every implementation must be safe for any number of threads at once, without external locking, and
 * every single-entry operation ({@link #set}, {@link #get}, {@link #increment}, {@link #decrement},
 * {@link #testAndSet}, {@link #delete}) and {@link #reset} must be <em>linearizable</em>: each takes
 * effect atomically at some instant between its call and its return. In particular increment, decrement
 * and test-and-set are atomic read-modify-writes: no update is ever lost, and at most one of several
 * racing test-and-sets whose test is met by the same value wins. {@link #enumerate} and {@link #poolSize}
 * read many entries and are weaker; their guarantees are stated on them.
 *
 * <h2>Time stamps</h2>
 *
 * Time stamps never go backwards within a store: if write A takes effect before write B (the same entry
 * written later, or B called after A returned), then {@code stamp(A) <= stamp(B)}. Two writes may carry
 * the same stamp. Stamps of different stores are not comparable.
 *
 * <h2>Pool size</h2>
 *
 * {@link #poolSize()} counts, for every live entry, the UTF-8 bytes of its group, section, name and data
 * (as produced by {@link String#getBytes(java.nio.charset.Charset) getBytes(UTF_8)}, so an unpaired
 * surrogate counts as the one byte of {@code '?'}) plus {@link #ENTRY_OVERHEAD_BYTES} for its handle,
 * time stamp and index slot. Unlike Legato's pool, which only grows until a reset, it is the exact
 * current total: it grows as data is stored, shrinks when data gets shorter, on delete and on reset.
 */
public interface SessionStore {
  /**
   * The fixed bytes {@link #poolSize()} charges for each entry besides its strings: its 8-byte handle,
   * its 8-byte time stamp and 16 bytes for its index slot.
   */
  int ENTRY_OVERHEAD_BYTES = 32;

  /**
   * Sets the entry's data to {@code value} verbatim, creating the entry if needed, and records {@code
   * handle} as its owner and the current time as its stamp.
   *
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  void set(EntryKey key, String value, long handle);

  /** {@link #set(EntryKey, String, long)} with handle {@code 0}. */
  default void set(EntryKey key, String value) {
    set(key, value, 0L);
  }

  /** The entry now, or empty if there is none. */
  Optional<Entry> get(EntryKey key);

  /**
   * Atomically adds one to the entry's integer value and returns the value <em>before</em> the change. A
   * missing entry is first created at {@code 0} (so the first call returns {@code 0} and leaves {@code
   * "1"}). Records {@code handle} and the time as the entry's owner and stamp.
   *
   * @throws SessionValueException if the entry's text is not a decimal integer, or holds {@link
   *     Long#MAX_VALUE}; the entry is then left unchanged
   */
  long increment(EntryKey key, long handle);

  /** {@link #increment(EntryKey, long)} with handle {@code 0}. */
  default long increment(EntryKey key) {
    return increment(key, 0L);
  }

  /**
   * Atomically subtracts one from the entry's integer value and returns the value <em>before</em> the
   * change. A missing entry is first created at {@code 0} (so the first call returns {@code 0} and leaves
   * {@code "-1"}). Records {@code handle} and the time as the entry's owner and stamp.
   *
   * @throws SessionValueException if the entry's text is not a decimal integer, or holds {@link
   *     Long#MIN_VALUE}; the entry is then left unchanged
   */
  long decrement(EntryKey key, long handle);

  /** {@link #decrement(EntryKey, long)} with handle {@code 0}. */
  default long decrement(EntryKey key) {
    return decrement(key, 0L);
  }

  /**
   * Atomically tests the entry's text against {@code compare} and, if the test is met, sets it to {@code
   * data}. With {@code match == true} the test is met when the text equals {@code compare}
   * (Legato's {@code TASSV_MATCH}); with {@code match == false} when it differs ({@code
   * TASSV_NO_MATCH}). Comparison is exact, case-sensitive string equality; an integer entry compares as
   * its canonical decimal text.
   *
   * <p><b>Missing entry</b>: it differs from every {@code compare} value (it equals nothing, not even
   * {@code ""}), so with {@code match == true} the test is never met and with {@code match == false}
   * it always is. Either way the call registers the entry, as Legato's test does: when the test is met
   * it is created holding {@code data}, owned by {@code handle}; otherwise it is created with empty data
   * ({@code ""}), handle {@code 0} and the current time stamp, and from then on it is an existing entry
   * holding {@code ""} (so a second {@code testAndSet(k, true, "", d)} does set).
   *
   * <p>Owner and time stamp change only when the data is set: a test that is not met leaves the entry
   * exactly as it was.
   *
   * @return true if the data was set
   * @throws NullPointerException if any argument is null
   */
  boolean testAndSet(EntryKey key, boolean match, String compare, String data, long handle);

  /** {@link #testAndSet(EntryKey, boolean, String, String, long)} with handle {@code 0}. */
  default boolean testAndSet(EntryKey key, boolean match, String compare, String data) {
    return testAndSet(key, match, compare, data, 0L);
  }

  /** Deletes the entry. Returns true if there was one. */
  boolean delete(EntryKey key);

  /** Deletes every entry, atomically: no operation sees some entries deleted and others not. */
  void reset();

  /**
   * Every entry, sorted by group, section, then name. The list is the caller's own.
   *
   * <p>Guarantee: not an atomic snapshot of the whole store. Each entry returned is a state that entry
   * really had at some instant during the call (never a torn mix of two writes). Every entry that
   * existed for the whole call is listed exactly once; one created or deleted during the call may or may
   * not be. If no write runs during the call, the list is exact.
   */
  List<Entry> enumerate();

  /**
   * The bytes the pool holds, as defined in the class documentation (strings as UTF-8 plus {@link
   * #ENTRY_OVERHEAD_BYTES} per entry).
   *
   * <p>Guarantee: exact whenever no write is in flight. With writes in flight it includes every write
   * that returned before this call began and any subset of those still running.
   */
  long poolSize();
}
