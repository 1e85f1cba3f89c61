package dev.spindle;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import dev.spindle.kernel.fs.FileWatcher;
import dev.spindle.kernel.session.InMemorySessionStore;
import dev.spindle.kernel.session.SessionStore;

/**
 * The Spindle runtime, as a Java program embeds it: runs Lua 5.4 scripts whose threads are coroutines.
 * Each {@link #run} gets its own reactor (an OS thread with its own Lua state). Thread-safe.
 *
 * <pre>{@code
 * try (Spindle spindle = Spindle.builder().build()) {
 *   ScriptResult r = spindle.run(Path.of("hello.lua")).join();
 * }
 * }</pre>
 */
public final class Spindle implements AutoCloseable {
  private final List<Path> modulePath;
  private final PrintStream out;
  private final PrintStream err;
  private final SessionStore sessionStore;
  private final Set<LuaHost> running = ConcurrentHashMap.newKeySet(); // runs not yet ended
  private final Map<Long, LuaHost> byHandle = new ConcurrentHashMap<>(); // every run, for script.status
  private final AtomicLong handles = new AtomicLong(); // script handles: positive, never reused
  private final Map<Long, Object> shared = new java.util.HashMap<>(); // guarded by this: id -> primitive
  private final Map<Object, Long> sharedIds = new java.util.IdentityHashMap<>(); // guarded by this
  private long lastShared; // guarded by this; ids are never reused
  private FileWatcher fileWatcher; // guarded by this; started by the first cqueues.notify.opendir
  private volatile boolean closed;

  private Spindle(Builder b) {
    this.modulePath = List.copyOf(b.modulePath);
    this.out = b.out;
    this.err = b.err;
    this.sessionStore = b.sessionStore == null ? new InMemorySessionStore() : b.sessionStore;
  }

  /** The session data pool that this runtime's scripts share (their {@code session} module). */
  public SessionStore sessionStore() {
    return sessionStore;
  }

  List<Path> modulePath() {
    return modulePath;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  /**
   * The global id of a thread-safe primitive one state passes to another (threading.Lock, queue.Queue,
   * ...); the same object always gets the same id. Shared objects live as long as this Spindle.
   */
  synchronized long share(Object primitive) {
    return sharedIds.computeIfAbsent(primitive, o -> {
      long id = ++lastShared;
      shared.put(id, o);
      return id;
    });
  }

  /** Takes back what was shared under {@code id} (it was meant for one state only); null if none. */
  synchronized Object unshare(long id) {
    Object o = shared.remove(id);
    if (o != null) sharedIds.remove(o);
    return o;
  }

  /** The primitive shared under {@code id}, or null. */
  synchronized Object shared(long id) {
    return shared.get(id);
  }

  /** The watcher that the scripts' file notifiers share (one thread for all of them), started on first use. */
  synchronized FileWatcher fileWatcher() throws IOException {
    if (closed) throw new IOException("Spindle is closed");
    if (fileWatcher == null) fileWatcher = FileWatcher.start("spindle-file-watcher");
    return fileWatcher;
  }

  LuaHost lookup(long handle) {
    return byHandle.get(handle);
  }

  /** Starts {@code file} as a background script of {@code parent}, with copied arguments. */
  LuaHost startBackground(LuaHost parent, Path file, byte[] copiedArgs) {
    byte[] source;
    try {
      source = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read script " + file + ": " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().getParent();
    LuaHost host = start(parent, new LuaHost.Script(file.toString(), source, dir, List.of(), copiedArgs));
    parent.addChild(host);
    return host;
  }

  /**
   * Starts an isolated thread of {@code parent}: a new run (reactor, OS thread, Lua state) of the Lua chunk
   * {@code source}, called with the values copied in {@code copiedArgs}. The parent's run waits for it.
   */
  LuaHost startIsolated(LuaHost parent, String name, byte[] source, byte[] copiedArgs) {
    LuaHost host = start(parent, new LuaHost.Script(name, source, parent.script().dir(), List.of(), copiedArgs));
    parent.addChild(host);
    return host;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Spindle's version. */
  public static String version() {
    String v = Spindle.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  /**
   * Runs the script file as the main thread of a new run; {@code args} become {@code arg[1..n]} and the
   * chunk's {@code ...}. {@code require} looks in the script's directory first, then the module path.
   */
  public ScriptRun run(Path script, String... args) {
    Objects.requireNonNull(script, "script");
    byte[] source;
    try {
      source = Files.readAllBytes(script);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + script + ": " + e.getMessage(), e);
    }
    Path dir = script.toAbsolutePath().getParent();
    return new ScriptRun(start(null, new LuaHost.Script(script.toString(), source, dir, List.of(args), null)));
  }

  /** Runs {@code source} as the main thread of a new run; {@code name} names the chunk in messages. */
  public ScriptRun run(String name, String source, String... args) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    return new ScriptRun(start(null, new LuaHost.Script(name, source.getBytes(StandardCharsets.UTF_8), null, List.of(args), null)));
  }

  private LuaHost start(LuaHost parent, LuaHost.Script script) {
    if (closed) throw new IllegalStateException("Spindle is closed");
    LuaHost host = new LuaHost(this, handles.incrementAndGet(), parent, script);
    byHandle.put(host.handle(), host);
    running.add(host);
    host.result().whenComplete((r, e) -> running.remove(host));
    host.start();
    return host;
  }

  /**
   * Stops every run still going (their {@code script.on_unwind} functions run) and waits for their
   * reactors to end. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (LuaHost h : running) h.stop("Spindle closed");
    for (LuaHost h : running) h.awaitTermination();
    FileWatcher w;
    synchronized (this) {
      w = fileWatcher;
      fileWatcher = null;
    }
    if (w != null) w.close();
  }

  /** Configures a {@link Spindle}. Not thread-safe. */
  public static final class Builder {
    private final List<Path> modulePath = new ArrayList<>();
    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private SessionStore sessionStore;

    private Builder() {}

    /** Adds directories where {@code require} looks for {@code NAME.lua} and {@code NAME/init.lua}. */
    public Builder modulePath(List<Path> dirs) {
      for (Path d : Objects.requireNonNull(dirs, "dirs")) modulePath.add(Objects.requireNonNull(d, "dir"));
      return this;
    }

    /** Where scripts' {@code print} writes. Default: System.out. */
    public Builder stdout(PrintStream out) {
      this.out = Objects.requireNonNull(out, "out");
      return this;
    }

    /** Where unread worker errors are reported. Default: System.err. */
    public Builder stderr(PrintStream err) {
      this.err = Objects.requireNonNull(err, "err");
      return this;
    }

    /** The session store scripts share. Default: a new {@link InMemorySessionStore}. */
    public Builder sessionStore(SessionStore store) {
      this.sessionStore = Objects.requireNonNull(store, "store");
      return this;
    }

    public Spindle build() {
      return new Spindle(this);
    }
  }
}
