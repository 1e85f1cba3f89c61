package dev.spindle.kernel.session;

import java.util.Objects;

/**
 * An arithmetic operation of a {@link SessionStore} ({@link SessionStore#increment increment}, {@link
 * SessionStore#decrement decrement}) met an entry whose text is not a decimal integer, or whose value
 * would leave the range of {@code long}. The entry is left unchanged.
 *
 * <p>The message names the entry and quotes its text; text longer than {@value #QUOTED_MAX} characters is
 * cut there and marked with {@code "..."} (the full text is {@link #text()}).
 */
public final class SessionValueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The most characters of the entry's text quoted in the message. */
  public static final int QUOTED_MAX = 100;

  private final transient EntryKey key;
  private final String text;

  /**
   * @param key the entry
   * @param text the entry's text at the time of the operation
   * @param problem what is wrong, e.g. {@code "is not a decimal integer"}
   */
  public SessionValueException(EntryKey key, String text, String problem) {
    super(message(key, text, problem));
    this.key = key;
    this.text = text;
  }

  /** The entry the operation was applied to. */
  public EntryKey key() {
    return key;
  }

  /** The entry's full text at the time of the operation. */
  public String text() {
    return text;
  }

  private static String message(EntryKey key, String text, String problem) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(text, "text");
    StringBuilder sb = new StringBuilder("session entry '").append(key.name()).append('\'');
    if (!key.group().isEmpty() || !key.section().isEmpty()) {
      sb.append(" (group '").append(key.group()).append("', section '").append(key.section());
      sb.append("')");
    }
    sb.append(" holds \"");
    if (text.length() > QUOTED_MAX) {
      sb.append(text, 0, QUOTED_MAX).append("...");
    } else {
      sb.append(text);
    }
    return sb.append("\", which ").append(problem).toString();
  }
}
