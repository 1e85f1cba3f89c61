package dev.spindle.kernel.session;

import static dev.spindle.kernel.session.SessionStore.ENTRY_OVERHEAD_BYTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Single-threaded behaviour of every operation, bad inputs, pool size accounting and time stamps. */
class InMemorySessionStoreTest {
  private final InMemorySessionStore store = new InMemorySessionStore();
  private static final EntryKey K = EntryKey.of("k");

  private Entry entry(EntryKey key) {
    return store.get(key).orElseThrow();
  }

  private String data(EntryKey key) {
    return entry(key).data();
  }

  /** What {@link SessionStore#poolSize()} must charge for one entry. */
  private static long size(EntryKey key, String data) {
    return ENTRY_OVERHEAD_BYTES
        + utf8(key.group())
        + utf8(key.section())
        + utf8(key.name())
        + utf8(data);
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  // ---- set / get ----

  @Test
  void getOfAMissingEntryIsEmpty() {
    assertEquals(Optional.empty(), store.get(K));
  }

  @Test
  void setStoresTextVerbatimWithHandle() {
    EntryKey key = EntryKey.of("grp", "sec", "name");
    store.set(key, "  some text \n", 0x1234);
    Entry e = entry(key);
    assertEquals("grp", e.group());
    assertEquals("sec", e.section());
    assertEquals("name", e.name());
    assertEquals("  some text \n", e.data());
    assertEquals(0x1234, e.handle());
    assertEquals(key, e.key());
  }

  @Test
  void setWithoutHandleRecordsHandleZero() {
    store.set(K, "v", 99);
    store.set(K, "w");
    assertEquals(0, entry(K).handle());
    assertEquals("w", data(K));
  }

  @Test
  void setOverwritesDataAndOwner() {
    store.set(K, "first", 1);
    store.set(K, "second", 2);
    assertEquals("second", data(K));
    assertEquals(2, entry(K).handle());
  }

  @Test
  void groupsAndSectionsSeparateEntries() {
    store.set(EntryKey.of("x"), "plain");
    store.set(EntryKey.of("g", null, "x"), "in group");
    store.set(EntryKey.of(null, "s", "x"), "in section");
    store.set(EntryKey.of("g", "s", "x"), "in both");
    assertEquals("plain", data(EntryKey.of("", "", "x")));
    assertEquals("in group", data(EntryKey.of("g", "", "x")));
    assertEquals("in section", data(EntryKey.of("", "s", "x")));
    assertEquals("in both", data(EntryKey.of("g", "s", "x")));
  }

  @Test
  void emptyStringsAreValidDataAndNames() {
    store.set(EntryKey.of(""), "");
    assertEquals("", data(EntryKey.of("")));
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThrows(NullPointerException.class, () -> store.set(null, "v"));
    assertThrows(NullPointerException.class, () -> store.set(K, null));
    assertThrows(NullPointerException.class, () -> store.get(null));
    assertThrows(NullPointerException.class, () -> store.increment(null));
    assertThrows(NullPointerException.class, () -> store.decrement(null));
    assertThrows(NullPointerException.class, () -> store.delete(null));
    assertThrows(NullPointerException.class, () -> store.testAndSet(null, true, "", ""));
    assertThrows(NullPointerException.class, () -> store.testAndSet(K, true, null, ""));
    assertThrows(NullPointerException.class, () -> store.testAndSet(K, true, "", null));
    assertEquals(0, store.poolSize());
    assertEquals(List.of(), store.enumerate());
  }

  // ---- increment / decrement ----

  @Test
  void incrementOfAMissingEntryStartsAtZero() {
    assertEquals(0, store.increment(K, 5));
    assertEquals("1", data(K));
    assertEquals(5, entry(K).handle());
  }

  @Test
  void decrementOfAMissingEntryStartsAtZero() {
    assertEquals(0, store.decrement(K, 6));
    assertEquals("-1", data(K));
    assertEquals(6, entry(K).handle());
  }

  @Test
  void incrementAndDecrementReturnTheValueBeforeTheChange() {
    store.set(K, "41");
    assertEquals(41, store.increment(K));
    assertEquals(42, store.increment(K));
    assertEquals("43", data(K));
    assertEquals(43, store.decrement(K));
    assertEquals(42, store.decrement(K));
    assertEquals("41", data(K));
    store.set(K, "0");
    assertEquals(0, store.decrement(K));
    assertEquals(-1, store.decrement(K));
    assertEquals("-2", data(K));
    assertEquals(-2, store.increment(K));
  }

  @Test
  void incrementAcceptsSignsAndLeadingZerosAndWritesCanonicalText() {
    store.set(K, "+007");
    assertEquals(7, store.increment(K));
    assertEquals("8", data(K));
    store.set(K, "-0");
    assertEquals(0, store.decrement(K));
    assertEquals("-1", data(K));
    store.set(K, "-9223372036854775808");
    assertEquals(Long.MIN_VALUE, store.increment(K));
    assertEquals(Long.toString(Long.MIN_VALUE + 1), data(K));
  }

  @Test
  void incrementRecordsTheHandleEveryTime() {
    store.increment(K, 1);
    store.increment(K, 2);
    assertEquals(2, entry(K).handle());
    store.decrement(K);
    assertEquals(0, entry(K).handle());
  }

  @Test
  void nonIntegerTextIsRejectedAndLeftUnchanged() {
    String[] bad = {
      "", "abc", " 1", "1 ", "1.5", "0x10", "1e3", "+", "-", "--1", "+-1", "12a",
      "١٢", // Arabic-Indic digits: Long.parseLong would take them; we do not
      "99999999999999999999", // beyond the range of long
      "9223372036854775808",
    };
    for (String text : bad) {
      store.set(K, text, 77);
      Entry before = entry(K);
      long pool = store.poolSize();
      SessionValueException inc =
          assertThrows(SessionValueException.class, () -> store.increment(K, 1), text);
      SessionValueException dec =
          assertThrows(SessionValueException.class, () -> store.decrement(K, 1), text);
      for (SessionValueException e : List.of(inc, dec)) {
        assertTrue(e.getMessage().contains("'k'"), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
        assertEquals(K, e.key());
        assertEquals(text, e.text());
      }
      assertEquals(before, entry(K), "entry unchanged for " + text);
      assertEquals(pool, store.poolSize());
    }
  }

  @Test
  void exceptionMessageNamesGroupAndSectionAndCutsLongText() {
    EntryKey key = EntryKey.of("G", "S", "counter");
    String longText = "x".repeat(500);
    store.set(key, longText);
    SessionValueException e =
        assertThrows(SessionValueException.class, () -> store.increment(key));
    assertEquals(
        "session entry 'counter' (group 'G', section 'S') holds \""
            + "x".repeat(SessionValueException.QUOTED_MAX)
            + "...\", which is not a decimal integer",
        e.getMessage());
    assertEquals(longText, e.text());
  }

  @Test
  void overflowIsRejectedAndLeftUnchanged() {
    store.set(K, Long.toString(Long.MAX_VALUE), 3);
    Entry before = entry(K);
    SessionValueException up = assertThrows(SessionValueException.class, () -> store.increment(K));
    assertTrue(up.getMessage().contains(Long.toString(Long.MAX_VALUE)), up.getMessage());
    assertEquals(before, entry(K));
    assertEquals(Long.MAX_VALUE, store.decrement(K));

    store.set(K, Long.toString(Long.MIN_VALUE + 1));
    assertEquals(Long.MIN_VALUE + 1, store.decrement(K));
    before = entry(K);
    assertThrows(SessionValueException.class, () -> store.decrement(K));
    assertEquals(before, entry(K));
    // the same at the boundary when the value is held as a number, not as text
    store.set(K, Long.toString(Long.MAX_VALUE - 1));
    assertEquals(Long.MAX_VALUE - 1, store.increment(K));
    assertThrows(SessionValueException.class, () -> store.increment(K));
    assertEquals(Long.toString(Long.MAX_VALUE), data(K));
  }

  @Test
  void setReplacesAnIntegerWithText() {
    store.increment(K);
    store.set(K, "word");
    assertEquals("word", data(K));
    assertThrows(SessionValueException.class, () -> store.increment(K));
    store.set(K, "10");
    assertEquals(10, store.increment(K));
  }

  // ---- testAndSet ----

  @Test
  void matchSetsWhenEqual() {
    store.set(K, "1", 10);
    assertTrue(store.testAndSet(K, true, "1", "0", 11));
    assertEquals("0", data(K));
    assertEquals(11, entry(K).handle());
  }

  @Test
  void matchDoesNotSetWhenDifferentAndLeavesOwnerAndStamp() {
    store.set(K, "0", 10);
    Entry before = entry(K);
    assertFalse(store.testAndSet(K, true, "1", "2", 11));
    assertEquals(before, entry(K));
  }

  @Test
  void noMatchSetsWhenDifferent() {
    store.set(K, "a", 10);
    assertTrue(store.testAndSet(K, false, "b", "c", 12));
    assertEquals("c", data(K));
    assertEquals(12, entry(K).handle());
  }

  @Test
  void noMatchDoesNotSetWhenEqualAndLeavesOwnerAndStamp() {
    store.set(K, "a", 10);
    Entry before = entry(K);
    assertFalse(store.testAndSet(K, false, "a", "c", 12));
    assertEquals(before, entry(K));
  }

  @Test
  void comparisonIsExactText() {
    store.set(K, "Abc");
    assertFalse(store.testAndSet(K, true, "abc", "x"));
    assertFalse(store.testAndSet(K, true, "Abc ", "x"));
    assertTrue(store.testAndSet(K, true, "Abc", "x"));
  }

  @Test
  void anIntegerEntryComparesAsItsDecimalText() {
    store.set(K, "4");
    store.increment(K); // now held as the number 5
    assertFalse(store.testAndSet(K, true, "05", "x"));
    assertFalse(store.testAndSet(K, true, "+5", "x"));
    assertFalse(store.testAndSet(K, false, "5", "x"));
    assertTrue(store.testAndSet(K, true, "5", "x"));
    assertEquals("x", data(K));

    store.set(K, "0");
    store.decrement(K);
    store.decrement(K);
    assertTrue(store.testAndSet(K, true, "-2", "y"));
    store.set(K, Long.toString(Long.MIN_VALUE + 1));
    store.decrement(K);
    assertTrue(store.testAndSet(K, true, Long.toString(Long.MIN_VALUE), "z"));
    assertEquals("z", data(K));
  }

  @Test
  void missingEntryMatchesNothingButIsRegistered() {
    // match: never met on a missing entry, not even with "" ...
    assertFalse(store.testAndSet(K, true, "", "0", 7));
    // ... but the entry now exists, empty and unowned
    Entry registered = entry(K);
    assertEquals("", registered.data());
    assertEquals(0, registered.handle());
    assertEquals(size(K, ""), store.poolSize());
    // and from now on it behaves as the existing empty entry it is
    assertTrue(store.testAndSet(K, true, "", "0", 7));
    assertEquals("0", data(K));
    assertEquals(7, entry(K).handle());
  }

  @Test
  void missingEntryDiffersFromEveryValue() {
    EntryKey a = EntryKey.of("a");
    EntryKey b = EntryKey.of("b");
    EntryKey c = EntryKey.of("c");
    assertFalse(store.testAndSet(a, true, "x", "set", 1));
    assertEquals("", data(a));
    assertEquals(0, entry(a).handle());
    assertTrue(store.testAndSet(b, false, "x", "set", 2));
    assertEquals("set", data(b));
    assertEquals(2, entry(b).handle());
    assertTrue(store.testAndSet(c, false, "", "set", 3));
    assertEquals("set", data(c));
    assertEquals(3, entry(c).handle());
    assertEquals(size(a, "") + size(b, "set") + size(c, "set"), store.poolSize());
  }

  // ---- delete / reset ----

  @Test
  void deleteRemovesOnce() {
    store.set(K, "v");
    store.set(EntryKey.of("other"), "w");
    assertTrue(store.delete(K));
    assertFalse(store.delete(K));
    assertEquals(Optional.empty(), store.get(K));
    assertEquals("w", data(EntryKey.of("other")));
    assertFalse(store.delete(EntryKey.of("never")));
  }

  @Test
  void aDeletedEntryStartsAfresh() {
    store.set(K, "7", 3);
    store.delete(K);
    assertEquals(0, store.increment(K));
    assertEquals("1", data(K));
  }

  @Test
  void resetDeletesEverythingAndTheStoreGoesOn() {
    for (int i = 0; i < 50; i++) store.set(EntryKey.of("g" + i % 3, "", "n" + i), "v" + i);
    store.increment(K);
    store.reset();
    assertEquals(List.of(), store.enumerate());
    assertEquals(0, store.poolSize());
    assertEquals(Optional.empty(), store.get(K));
    assertEquals(0, store.increment(K));
    assertEquals(size(K, "1"), store.poolSize());
  }

  // ---- enumerate ----

  @Test
  void enumerateListsEveryEntrySorted() {
    store.set(EntryKey.of("b", "", "x"), "bx", 1);
    store.set(EntryKey.of("", "", "z"), "z", 2);
    store.set(EntryKey.of("a", "s2", "x"), "as2x", 3);
    store.set(EntryKey.of("a", "s1", "y"), "as1y", 4);
    store.set(EntryKey.of("a", "s1", "x"), "as1x", 5);
    store.increment(EntryKey.of("a", "", "count"), 6);
    List<Entry> all = store.enumerate();
    List<String> order = new ArrayList<>();
    for (Entry e : all) order.add(e.group() + "/" + e.section() + "/" + e.name() + "=" + e.data());
    assertEquals(
        List.of("//z=z", "a//count=1", "a/s1/x=as1x", "a/s1/y=as1y", "a/s2/x=as2x", "b//x=bx"),
        order);
    for (Entry e : all) assertEquals(e, entry(e.key()));
  }

  @Test
  void enumerateReturnsTheCallersOwnList() {
    store.set(K, "v");
    List<Entry> list = store.enumerate();
    list.clear();
    assertEquals(1, store.enumerate().size());
  }

  @Test
  void enumerateOfAnEmptyStoreIsEmpty() {
    assertEquals(List.of(), store.enumerate());
  }

  // ---- pool size ----

  @Test
  void poolSizeCountsUtf8OfKeyAndDataPlusOverhead() {
    assertEquals(0, store.poolSize());
    EntryKey key = EntryKey.of("grp", "sect", "name");
    store.set(key, "data");
    assertEquals(ENTRY_OVERHEAD_BYTES + 3 + 4 + 4 + 4, store.poolSize());
    EntryKey wide = EntryKey.of("é", "€", "😀");
    store.set(wide, "a\uD800b"); // an unpaired surrogate: encoded as '?'
    assertEquals(ENTRY_OVERHEAD_BYTES + 3 + 4 + 4 + 4 + ENTRY_OVERHEAD_BYTES + 2 + 3 + 4 + 3,
        store.poolSize());
  }

  @Test
  void poolSizeFollowsOverwritesDeletesAndReset() {
    store.set(K, "short");
    assertEquals(size(K, "short"), store.poolSize());
    store.set(K, "a much longer value");
    assertEquals(size(K, "a much longer value"), store.poolSize());
    store.set(K, "");
    assertEquals(size(K, ""), store.poolSize());
    EntryKey other = EntryKey.of("G", "S", "other");
    store.set(other, "x");
    assertEquals(size(K, "") + size(other, "x"), store.poolSize());
    assertTrue(store.delete(K));
    assertEquals(size(other, "x"), store.poolSize());
    assertFalse(store.delete(K));
    assertEquals(size(other, "x"), store.poolSize());
    store.reset();
    assertEquals(0, store.poolSize());
  }

  @Test
  void poolSizeFollowsIntegerLength() {
    store.set(K, "9");
    store.increment(K);
    assertEquals(size(K, "10"), store.poolSize());
    store.set(K, "+007");
    store.increment(K);
    assertEquals(size(K, "8"), store.poolSize());
    store.set(K, "0");
    store.decrement(K);
    assertEquals(size(K, "-1"), store.poolSize());
    store.set(K, "-9");
    store.decrement(K);
    assertEquals(size(K, "-10"), store.poolSize());
  }

  @Test
  void poolSizeMatchesEnumerateAfterRandomOperations() {
    SplittableRandom random = new SplittableRandom(20241123);
    String[] alphabet = {"a", "Z", "7", "-", "é", "€", "😀", "\uDC00"};
    EntryKey[] keys = new EntryKey[8];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = EntryKey.of(i % 2 == 0 ? "" : "grp€", i % 3 == 0 ? "" : "s" + i, "name" + i);
    }
    for (int step = 0; step < 20_000; step++) {
      EntryKey key = keys[random.nextInt(keys.length)];
      switch (random.nextInt(7)) {
        case 0, 1 -> {
          StringBuilder sb = new StringBuilder();
          int n = random.nextInt(12);
          for (int i = 0; i < n; i++) sb.append(alphabet[random.nextInt(alphabet.length)]);
          if (random.nextBoolean()) sb.setLength(0);
          if (random.nextInt(3) == 0) sb.append(random.nextInt(-2000, 2000));
          store.set(key, sb.toString());
        }
        case 2 -> ignoreValueErrors(() -> store.increment(key));
        case 3 -> ignoreValueErrors(() -> store.decrement(key));
        case 4 -> store.testAndSet(key, random.nextBoolean(), "", "t" + random.nextInt(100));
        case 5 -> store.delete(key);
        default -> {
          if (random.nextInt(50) == 0) store.reset();
          else store.get(key);
        }
      }
      long expected = 0;
      for (Entry e : store.enumerate()) expected += size(e.key(), e.data());
      assertEquals(expected, store.poolSize(), "after step " + step);
    }
  }

  private static void ignoreValueErrors(Runnable r) {
    try {
      r.run();
    } catch (SessionValueException expected) {
      // text that is not an integer: fine here
    }
  }

  @Test
  void utf8LengthMatchesTheEncoder() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(20);
      for (int j = 0; j < n; j++) {
        switch (random.nextInt(5)) {
          case 0 -> sb.append((char) random.nextInt(0x80));
          case 1 -> sb.append((char) random.nextInt(0x80, 0x800));
          case 2 -> sb.append((char) random.nextInt(0x800, 0x10000)); // includes lone surrogates
          case 3 -> sb.appendCodePoint(random.nextInt(0x10000, 0x110000));
          default -> sb.append(random.nextBoolean() ? '\uD83D' : '\uDE00');
        }
      }
      String s = sb.toString();
      assertEquals(utf8(s), InMemorySessionStore.Utf8.length(s), () -> s.codePoints().toString());
    }
  }

  @Test
  void decimalHelpersAgreeWithLongToString() {
    List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, -10L, 99L, 100L,
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L));
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 2_000; i++) values.add(random.nextLong() >> random.nextInt(64));
    for (long v : values) {
      String s = Long.toString(v);
      assertEquals(s.length(), InMemorySessionStore.Decimal.length(v), s);
      assertTrue(InMemorySessionStore.Decimal.equals(v, s), s);
      assertFalse(InMemorySessionStore.Decimal.equals(v, "0" + s), s);
      assertFalse(InMemorySessionStore.Decimal.equals(v, Long.toString(v ^ 1)), s);
      if (v < 0) assertFalse(InMemorySessionStore.Decimal.equals(v, s.substring(1)), s);
    }
  }

  // ---- time stamps ----

  @Test
  void timeStampsAreNanosecondsSinceTheStoreWasMade() {
    long start = System.nanoTime();
    InMemorySessionStore fresh = new InMemorySessionStore();
    fresh.set(K, "a");
    long first = fresh.get(K).orElseThrow().timeStamp();
    long afterFirst = System.nanoTime();
    assertTrue(first >= 0 && first <= afterFirst - start, "first " + first);
    // let at least 2 ms pass (a busy wait on the clock, not a synchronisation)
    while (System.nanoTime() - afterFirst < 2_000_000) Thread.onSpinWait();
    fresh.set(K, "b");
    long end = System.nanoTime();
    long second = fresh.get(K).orElseThrow().timeStamp();
    assertTrue(second - first >= 2_000_000, "stamps " + first + " then " + second);
    assertTrue(second - first <= end - start, "stamps " + first + " then " + second);
  }

  @Test
  void everyWriteStampsAndStampsNeverGoBack() {
    long last = -1;
    for (int i = 0; i < 1_000; i++) {
      EntryKey key = EntryKey.of("k" + i % 7);
      switch (i % 4) {
        case 0 -> store.set(key, "1", i);
        case 1 -> store.increment(key, i);
        case 2 -> store.decrement(key, i);
        default -> assertTrue(store.testAndSet(key, false, "no such value", "1", i));
      }
      Entry e = entry(key);
      assertEquals(i, e.handle());
      assertTrue(e.timeStamp() >= last, "stamp went back at write " + i);
      last = e.timeStamp();
    }
  }

  @Test
  void aFailedTestLeavesTheStampAndAFailedIncrementToo() {
    store.set(K, "held", 1);
    Entry before = entry(K);
    long t = System.nanoTime();
    while (System.nanoTime() - t < 100_000) Thread.onSpinWait();
    assertFalse(store.testAndSet(K, true, "free", "mine", 2));
    assertThrows(SessionValueException.class, () -> store.increment(K, 3));
    assertEquals(before, entry(K));
    assertTrue(store.testAndSet(K, true, "held", "mine", 2));
    assertTrue(entry(K).timeStamp() >= before.timeStamp());
    assertEquals(2, entry(K).handle());
  }

  @Test
  void deleteAndGetDoNotStamp() {
    store.set(K, "v", 1);
    store.set(EntryKey.of("x"), "w", 1);
    Entry before = entry(K);
    store.get(K);
    store.delete(EntryKey.of("x"));
    store.enumerate();
    store.poolSize();
    assertEquals(before, entry(K));
  }

  @Test
  void entriesAreSnapshotsNotViews() {
    store.set(K, "1", 1);
    Entry old = entry(K);
    store.set(K, "2", 2);
    assertEquals("1", old.data());
    assertEquals(1, old.handle());
  }
}
