package dev.spindle.kernel.session;

/**
 * One entry of a {@link SessionStore} as read at one moment: an immutable copy, not a live view.
 *
 * @param group the entry's group, {@code ""} for none (see {@link EntryKey})
 * @param section the entry's section, {@code ""} for none
 * @param name the entry's name
 * @param data the value as text; an integer value is its canonical decimal text ({@code "-12"})
 * @param handle the handle of the writer that last set the value ({@code 0} for Java callers that gave
 *     none, and for an entry that was only registered by a failed {@link SessionStore#testAndSet})
 * @param timeStamp when the value was last set, in <b>nanoseconds</b> since the store was created (see
 *     {@link SessionStore} for the ordering guarantee)
 */
public record Entry(
    String group, String section, String name, String data, long handle, long timeStamp) {

  /** This entry's key. */
  public EntryKey key() {
    return new EntryKey(group, section, name);
  }
}
