package dev.spindle.kernel.session;

import java.util.Objects;

/**
 * The name of one entry of a {@link SessionStore}: a required {@code name}, optionally inside a {@code
 * group} and a {@code section}.
 *
 * <p>Rules, enforced by the constructor (so every instance obeys them):
 *
 * <ul>
 *   <li>{@code name} must not be null ({@link NullPointerException} with message {@code "name"}); the
 *       empty string is a valid name, distinct from every other name.
 *   <li>{@code group} and {@code section} may be null, meaning "none". "None" and the empty string are
 *       the <em>same</em> thing: null is stored as {@code ""}, so {@code new EntryKey(null, null, "x")}
 *       equals {@code new EntryKey("", "", "x")} and the accessors never return null. (The Legato model
 *       treats an omitted group or section as the default; a script binding may pass nil or an empty
 *       string for it, and the two must not name different entries that enumerate identically.)
 *   <li>Each of the three strings is at most {@link #MAX_LENGTH} characters, counted as {@link
 *       String#length()} (UTF-16 code units). A longer one is rejected with an {@link
 *       IllegalArgumentException} whose message names the argument and its length, for example {@code
 *       "name longer than 128 characters: 200"}.
 * </ul>
 *
 * <p>Keys compare by value (record equality), so they can be built afresh for every call.
 *
 * @param group the group, {@code ""} for none
 * @param section the section, {@code ""} for none
 * @param name the entry's name
 */
public record EntryKey(String group, String section, String name) {
  /** The longest group, section or name allowed, in characters ({@link String#length()}). */
  public static final int MAX_LENGTH = 128;

  /** Validates and normalises: null group or section becomes {@code ""}. */
  public EntryKey {
    Objects.requireNonNull(name, "name");
    group = group == null ? "" : group;
    section = section == null ? "" : section;
    checkLength("group", group);
    checkLength("section", section);
    checkLength("name", name);
  }

  /** A key with no group and no section. */
  public static EntryKey of(String name) {
    return new EntryKey(null, null, name);
  }

  /** A key in {@code group} and {@code section} (either may be null or empty for none). */
  public static EntryKey of(String group, String section, String name) {
    return new EntryKey(group, section, name);
  }

  private static void checkLength(String what, String s) {
    if (s.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what + " longer than " + MAX_LENGTH + " characters: " + s.length());
    }
  }
}
