package dev.spindle.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.wait.ParkedWaiter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FileWatcherTest {
  private static final long EVENT_NANOS = TimeUnit.SECONDS.toNanos(5); // inotify is fast; be generous anyway

  @TempDir Path dir;
  private FileWatcher watcher;

  @BeforeEach
  void start() throws Exception {
    watcher = FileWatcher.start("file-watcher-test");
  }

  @AfterEach
  void stop() {
    watcher.close();
  }

  /** The next change, waiting for it as a Java thread would; null after EVENT_NANOS. */
  private static DirectoryWatch.Change next(DirectoryWatch w) throws InterruptedException {
    long deadline = System.nanoTime() + EVENT_NANOS;
    while (System.nanoTime() < deadline) {
      DirectoryWatch.Change c = w.poll();
      if (c != null) return c;
      ParkedWaiter p = new ParkedWaiter();
      if (!w.register(p) && p.await(deadline - System.nanoTime()) == ParkedWaiter.TIMED_OUT) w.unregister(p);
    }
    return null;
  }

  /** The next change of {@code name}, skipping the directory's own. */
  private static DirectoryWatch.Change nextOf(DirectoryWatch w, String name) throws InterruptedException {
    DirectoryWatch.Change c;
    do {
      c = next(w);
    } while (c != null && !c.name().equals(name));
    return c;
  }

  private static void drain(DirectoryWatch w) {
    while (w.poll() != null) {}
  }

  /**
   * Takes the changes of {@code name} until one has {@code flag}, and returns it. Changes before it may
   * carry only {@code earlier}: what the previous step may still be reporting (a write is often two
   * events, truncate then write, and the second can come after the first was taken).
   */
  private static int until(DirectoryWatch w, String name, int flag, int earlier) throws InterruptedException {
    while (true) {
      DirectoryWatch.Change c = nextOf(w, name);
      assertTrue(c != null, "no change with flag " + flag + " for " + name);
      if ((c.flags() & flag) != 0) return c.flags();
      assertEquals(0, c.flags() & ~earlier, "unexpected flags " + c.flags());
    }
  }

  @Test
  void anAddedFileIsReportedByName_created_modified_attributes_deleted() throws Exception {
    DirectoryWatch w = watcher.watch(dir);
    assertEquals(0, w.add("a.txt", DirectoryWatch.ALL));
    Path a = dir.resolve("a.txt");
    Files.writeString(a, "one");
    assertEquals(DirectoryWatch.CREATE, until(w, "a.txt", DirectoryWatch.CREATE, 0) & ~DirectoryWatch.MODIFY);
    Files.writeString(a, "two, longer");
    assertEquals(DirectoryWatch.MODIFY, until(w, "a.txt", DirectoryWatch.MODIFY, 0));
    Files.delete(a);
    assertEquals(DirectoryWatch.DELETE, until(w, "a.txt", DirectoryWatch.DELETE, DirectoryWatch.MODIFY)
        & ~DirectoryWatch.MODIFY);
    w.close();
  }

  @Test
  void anAttributeChangeIsMODIFY_orATTRIBforAFileWatchedForAttributesOnly() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "x"), b = Files.writeString(dir.resolve("b"), "x");
    DirectoryWatch w = watcher.watch(dir);
    w.add("a", DirectoryWatch.ALL);
    w.add("b", DirectoryWatch.ATTRIB);
    Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rw-------"));
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    while (seen.size() < 2) {
      DirectoryWatch.Change c = next(w);
      assertTrue(c != null, "saw only " + seen);
      seen.merge(c.name(), c.flags(), (x, y) -> x | y);
    }
    assertEquals(java.util.Map.of("a", DirectoryWatch.MODIFY, "b", DirectoryWatch.ATTRIB), seen);
  }

  @Test
  void otherEntriesShowAsChangesOfTheDirectory_andFlagsFilter() throws Exception {
    DirectoryWatch w = watcher.watch(dir);
    w.add("only-deletes", DirectoryWatch.DELETE);
    Files.writeString(dir.resolve("only-deletes"), "x");
    Files.writeString(dir.resolve("other"), "x");
    DirectoryWatch.Change c = next(w);
    assertEquals(".", c.name());
    assertEquals(DirectoryWatch.CREATE, c.flags());
    Files.delete(dir.resolve("only-deletes"));
    assertEquals(DirectoryWatch.DELETE, nextOf(w, "only-deletes").flags(), "only the flags asked for");
  }

  @Test
  void twoWatchesOfOneDirectoryBothSeeEvents_andCloseWakesWaiters() throws Exception {
    DirectoryWatch a = watcher.watch(dir), b = watcher.watch(dir);
    a.add("f", DirectoryWatch.ALL);
    b.add("f", DirectoryWatch.ALL);
    DirectoryWatch c = watcher.watch(dir);
    c.add("f", DirectoryWatch.ALL);
    c.close(); // the others keep the directory's key
    Files.writeString(dir.resolve("f"), "x");
    assertEquals("f", nextOf(a, "f").name());
    assertEquals("f", nextOf(b, "f").name());
    assertNull(c.poll());
    Thread.sleep(50);
    drain(b);
    ParkedWaiter q = new ParkedWaiter();
    assertTrue(!b.register(q), "nothing pending");
    b.close();
    assertEquals(Boolean.FALSE, q.await(EVENT_NANOS));
  }

  @Test
  void badNamesAndDirectoriesAreReported() throws Exception {
    assertThrows(NoSuchFileException.class, () -> watcher.watch(dir.resolve("missing")));
    Files.writeString(dir.resolve("file"), "x");
    assertThrows(NotDirectoryException.class, () -> watcher.watch(dir.resolve("file")));
    DirectoryWatch w = watcher.watch(dir);
    assertEquals(21, w.add("a/b", DirectoryWatch.ALL)); // EISDIR
    assertEquals(36, w.add("x".repeat(256), DirectoryWatch.ALL)); // ENAMETOOLONG
  }

  @Test
  void closingTheWatcherClosesItsWatches() throws Exception {
    DirectoryWatch w = watcher.watch(dir);
    watcher.close();
    assertTrue(w.isClosed());
  }
}
