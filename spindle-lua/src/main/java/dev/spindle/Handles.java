package dev.spindle;

import java.util.HashMap;
import java.util.Map;

/**
 * The Java objects a Lua state refers to (sockets, TLS contexts, shared primitives), by integer handle.
 * Scripts never see a Java object: a Lua-side object keeps its handle and calls host functions with it.
 *
 * <p>Concurrency: reactor only, like the Lua state it serves.
 */
final class Handles {
  private final Map<Long, Object> objects = new HashMap<>(); // reactor only
  private long next; // reactor only; handles are never reused, so a stale one finds nothing

  /** Registers {@code o}; returns its handle (positive). */
  long add(Object o) {
    long h = ++next;
    objects.put(h, o);
    return h;
  }

  /** The object of handle {@code h} if it is a {@code type}, else null. */
  <T> T get(long h, Class<T> type) {
    Object o = objects.get(h);
    return type.isInstance(o) ? type.cast(o) : null;
  }

  /** Forgets handle {@code h}; returns what it referred to, or null. */
  Object remove(long h) {
    return objects.remove(h);
  }

  /** Closes every registered object that can be closed and forgets them all (the state is closing). */
  void closeAll() {
    for (Object o : objects.values()) {
      if (o instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // the state is going away; a failing close has nobody left to report to
        }
      }
    }
    objects.clear();
  }
}
