package dev.spindle.kernel.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EntryKeyTest {
  private static String chars(int n) {
    return "n".repeat(n);
  }

  @Test
  void nullNameIsRejected() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> EntryKey.of(null));
    assertEquals("name", e.getMessage());
    assertThrows(NullPointerException.class, () -> EntryKey.of("g", "s", null));
  }

  @Test
  void stringsUpTo128CharactersAreAccepted() {
    String max = chars(EntryKey.MAX_LENGTH);
    EntryKey key = assertDoesNotThrow(() -> EntryKey.of(max, max, max));
    assertEquals(max, key.group());
    assertEquals(max, key.section());
    assertEquals(max, key.name());
  }

  @Test
  void longerNameGroupOrSectionIsRejectedWithItsLength() {
    IllegalArgumentException name =
        assertThrows(IllegalArgumentException.class, () -> EntryKey.of(chars(200)));
    assertEquals("name longer than 128 characters: 200", name.getMessage());
    IllegalArgumentException group =
        assertThrows(IllegalArgumentException.class, () -> EntryKey.of(chars(129), null, "x"));
    assertEquals("group longer than 128 characters: 129", group.getMessage());
    IllegalArgumentException section =
        assertThrows(IllegalArgumentException.class, () -> EntryKey.of("", chars(1000), "x"));
    assertEquals("section longer than 128 characters: 1000", section.getMessage());
    // the canonical constructor checks too: no instance escapes the rules
    assertThrows(IllegalArgumentException.class, () -> new EntryKey(null, null, chars(129)));
  }

  @Test
  void lengthCountsUtf16CharsNotBytes() {
    // 128 characters of 3 UTF-8 bytes each are still 128 characters
    assertDoesNotThrow(() -> EntryKey.of("€".repeat(128)));
    // a character outside the BMP is two chars
    assertThrows(IllegalArgumentException.class, () -> EntryKey.of("😀".repeat(65)));
  }

  @Test
  void noGroupOrSectionIsTheEmptyString() {
    assertEquals(EntryKey.of("", "", "x"), EntryKey.of(null, null, "x"));
    assertEquals(EntryKey.of("x"), new EntryKey("", "", "x"));
    assertEquals("", EntryKey.of("x").group());
    assertEquals("", EntryKey.of("x").section());
    assertEquals(EntryKey.of("x").hashCode(), EntryKey.of(null, "", "x").hashCode());
  }

  @Test
  void emptyNameIsAValidDistinctName() {
    EntryKey empty = EntryKey.of("");
    assertEquals("", empty.name());
    assertNotEquals(EntryKey.of(" "), empty);
  }

  @Test
  void groupSectionAndNameAllDistinguishKeys() {
    assertNotEquals(EntryKey.of("a", "", "x"), EntryKey.of("", "a", "x"));
    assertNotEquals(EntryKey.of("a", "b", "x"), EntryKey.of("a", "b", "y"));
    assertNotEquals(EntryKey.of("a", "b", "x"), EntryKey.of("a", "c", "x"));
    assertEquals(EntryKey.of("a", "b", "x"), EntryKey.of("a", "b", "x"));
  }
}
