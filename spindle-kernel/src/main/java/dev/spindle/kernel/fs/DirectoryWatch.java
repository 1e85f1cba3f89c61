package dev.spindle.kernel.fs;

import dev.spindle.kernel.net.Errno;
import dev.spindle.kernel.wait.Awaitable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes to chosen files of one directory (cqueues' notifier): {@link #add} a file name with the changes
 * wanted, then take what happened with {@link #poll}. A file's changes accumulate until taken, so one
 * {@link Change} may carry several flags. Changes to the directory itself (an entry made or removed,
 * events lost, the watch ended) are reported under the name {@code "."}, after the files.
 *
 * <p>The JDK reports attribute changes and writes alike (inotify's IN_ATTRIB and IN_MODIFY are both its
 * ENTRY_MODIFY), and looking at the file afterwards cannot tell them apart reliably (it shows the latest
 * state, not the event's). So either is {@link #MODIFY} for a file watched for it, else {@link #ATTRIB}.
 * A deletion usually comes after such a change (the link count).
 *
 * <p>Concurrency: thread-safe. Events arrive on the {@link FileWatcher}'s thread.
 */
public final class DirectoryWatch extends Awaitable implements AutoCloseable {
  /** Change flags, with cqueues' values. */
  public static final int CREATE = 0x01, ATTRIB = 0x02, MODIFY = 0x04, REVOKE = 0x08, DELETE = 0x10,
      ALL = CREATE | ATTRIB | MODIFY | REVOKE | DELETE;

  /** What happened to one file (or {@code "."}, the directory) since it was last taken. */
  public record Change(String name, int flags) {}

  private final FileWatcher watcher;
  private final Path dir;
  private final Map<String, Integer> files = new HashMap<>(); // guarded by lock: name -> flags wanted
  private final LinkedHashMap<String, Integer> changed = new LinkedHashMap<>(); // guarded by lock
  private int dirChanges; // guarded by lock

  DirectoryWatch(FileWatcher watcher, Path dir) {
    this.watcher = watcher;
    this.dir = dir;
  }

  public Path directory() {
    return dir;
  }

  /**
   * Watches file {@code name} of the directory for the changes in {@code flags}. Returns 0, or an errno:
   * EISDIR for a name with a '/', ENAMETOOLONG past 255 bytes.
   */
  public int add(String name, int flags) {
    if (name.indexOf('/') >= 0 || name.isEmpty()) return Errno.EISDIR; // as cqueues
    if (name.getBytes(StandardCharsets.UTF_8).length > 255) return Errno.ENAMETOOLONG;
    lock.lock();
    try {
      files.putIfAbsent(name, flags & ALL);
    } finally {
      lock.unlock();
    }
    return 0;
  }

  @Override
  protected boolean hasItem() {
    return dirChanges != 0 || !changed.isEmpty();
  }

  /** Takes the changes of one file (the first that changed), else those of the directory; null if none. */
  public Change poll() {
    lock.lock();
    try {
      Iterator<Map.Entry<String, Integer>> it = changed.entrySet().iterator();
      if (it.hasNext()) {
        Map.Entry<String, Integer> e = it.next();
        it.remove();
        return new Change(e.getKey(), e.getValue());
      }
      if (dirChanges != 0) {
        Change c = new Change(".", dirChanges);
        dirChanges = 0;
        return c;
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** One batch of the directory's events; {@code valid} false once the watch has ended. Watcher thread. */
  void deliver(List<WatchEvent<?>> events, boolean valid) {
    Map<String, Integer> byName = new LinkedHashMap<>();
    int dir = 0;
    for (WatchEvent<?> e : events) {
      WatchEvent.Kind<?> k = e.kind();
      if (k == StandardWatchEventKinds.OVERFLOW) {
        dir |= CREATE | DELETE | MODIFY | ATTRIB; // events were lost: anything may have changed
        continue;
      }
      String name = e.context().toString();
      int flags;
      if (k == StandardWatchEventKinds.ENTRY_CREATE) {
        flags = CREATE;
        dir |= CREATE;
      } else if (k == StandardWatchEventKinds.ENTRY_DELETE) {
        flags = DELETE;
        dir |= DELETE;
      } else {
        flags = MODIFY;
      }
      byName.merge(name, flags, (a, b) -> a | b);
    }
    if (!valid) dir |= DELETE | REVOKE;
    // only names somebody added are looked at
    Map<String, Integer> wanted;
    lock.lock();
    try {
      wanted = new HashMap<>(files);
    } finally {
      lock.unlock();
    }
    Map<String, Integer> found = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : byName.entrySet()) {
      Integer want = wanted.get(e.getKey());
      if (want == null) continue;
      int flags = e.getValue();
      // the JDK's modify is a write or an attribute change: MODIFY when wanted, else ATTRIB
      if ((flags & MODIFY) != 0 && (want & MODIFY) == 0) flags = (flags & ~MODIFY) | ATTRIB;
      if ((flags & want) != 0) found.put(e.getKey(), flags & want);
    }
    int dirFlags = dir;
    if (found.isEmpty() && dirFlags == 0) return;
    produce(() -> {
      for (Map.Entry<String, Integer> e : found.entrySet()) changed.merge(e.getKey(), e.getValue(), (a, b) -> a | b);
      dirChanges |= dirFlags;
    });
  }

  /** Stops watching; waiters wake. Idempotent. */
  @Override
  public void close() {
    if (markClosed()) watcher.forget(this);
  }

  /** Closed by the watcher as it ends. */
  void closeFromWatcher() {
    markClosed();
  }
}
