package dev.spindle.kernel.fs;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One JDK {@link WatchService} and one thread that hands its events to the {@link DirectoryWatch}es made
 * here. Sharing them keeps the cost flat however many directories are watched: on Linux each
 * WatchService is an inotify instance (128 per user by default) with a poller thread of its own.
 * Watches of the same directory share the JDK's key; each gets every event.
 *
 * <p>Concurrency: thread-safe. The thread is a daemon and ends with {@link #close}.
 */
public final class FileWatcher implements AutoCloseable {
  private final WatchService service;
  private final Thread thread;
  private final Map<WatchKey, List<DirectoryWatch>> watches = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  private FileWatcher(WatchService service, String name) {
    this.service = service;
    this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
  }

  /** A watcher whose thread is named {@code name}. */
  public static FileWatcher start(String name) throws IOException {
    FileWatcher w = new FileWatcher(FileSystems.getDefault().newWatchService(), name);
    w.thread.start();
    return w;
  }

  /**
   * Watches directory {@code dir}. Throws NoSuchFileException, NotDirectoryException,
   * AccessDeniedException or another IOException when it cannot.
   */
  public DirectoryWatch watch(Path dir) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    if (Files.exists(d) && !Files.isDirectory(d)) throw new NotDirectoryException(d.toString());
    synchronized (this) {
      if (closed) throw new IOException("file watcher closed");
      WatchKey key = d.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      DirectoryWatch w = new DirectoryWatch(this, d);
      watches.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
      return w;
    }
  }

  /** Drops a closed watch; the JDK's key goes with the last watch of its directory. */
  synchronized void forget(DirectoryWatch w) {
    var it = watches.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (e.getValue().remove(w) && e.getValue().isEmpty()) {
        e.getKey().cancel();
        it.remove();
      }
    }
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.take();
        List<WatchEvent<?>> events = key.pollEvents();
        boolean valid = key.reset();
        List<DirectoryWatch> ws;
        synchronized (this) {
          ws = watches.get(key);
          ws = ws == null ? List.of() : List.copyOf(ws);
          if (!valid) watches.remove(key);
        }
        for (DirectoryWatch w : ws) w.deliver(events, valid);
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: the watches were closed with it
    }
  }

  /** Stops the thread and closes every watch. Idempotent. */
  @Override
  public void close() {
    List<DirectoryWatch> all = new ArrayList<>();
    synchronized (this) {
      if (closed) return;
      closed = true;
      watches.values().forEach(all::addAll);
      watches.clear();
    }
    try {
      service.close();
    } catch (IOException ignored) {
      // nothing left to report to
    }
    for (DirectoryWatch w : all) w.closeFromWatcher();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
