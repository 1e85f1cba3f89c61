package dev.spindle.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The load generator of the echo benchmark: N connections over loopback, driven by one thread with one
 * {@link Selector} (or by a few, see {@code --threads}). Each connection sends a line (63 bytes and '\n'), waits
 * for its echo ("\n" or "\r\n" ending: cqueues' text mode sends "\r\n"), and sends the next: a closed loop, so
 * the rate is what the server sustains at N outstanding requests. Every round trip's latency goes into a
 * {@link LatencyHistogram}.
 *
 * <pre>
 * java -cp spindle-bench.jar dev.spindle.bench.echo.LoadGenerator --port P [options]
 *   --host H          the server (default 127.0.0.1)
 *   --conns LIST      connection counts, measured one after the other on fresh connections (default 100,1000)
 *   --warmup S        seconds of load before each measurement (default 1.5)
 *   --duration S      seconds measured (default 4)
 *   --line BYTES      line length including '\n' (default 64)
 *   --threads T       event loops, each with its share of the connections (default 1; more only helps when the
 *                     generator has more than one core to itself)
 *   --server-pids L   comma-separated pids whose CPU time (/proc) is read over the measured window
 *   --idle N          instead: the memory protocol (below)
 * </pre>
 *
 * Prints {@code @result <metric> <value>} lines, per connection count C: {@code cC.rt_per_s}, {@code cC.p50_us},
 * {@code cC.p99_us}, {@code cC.p999_us}, {@code cC.errors} (short or malformed echoes, failed connects, lost
 * connections), {@code cC.server_cpu} and {@code cC.gen_cpu} (CPU time over the window, in cores: 1.0 is one core
 * busy all the time) and {@code cC.other_cpu} (what the rest of the machine was busy with meanwhile: kernel work
 * not charged to either process, and other programs sharing the cores). With {@code --idle N}: opens and closes 100 connections (one round trip each) to warm the
 * server up, prints {@code @sync base} and waits for a line on standard input; opens N connections, does one round
 * trip on each, prints {@code @result idle_conns N} and {@code @sync idle} and waits for a line again; then closes
 * them. The harness reads the server's memory at the two sync points.
 */
public final class LoadGenerator {
  private static final int MAX_CONNECTING = 256; // connects in flight at once: stays under the listen backlog
  private static final long NS = 1_000_000_000L;

  private final Selector selector;
  private final InetSocketAddress server;
  private final int lineBytes;
  private final ByteBuffer line; // the line every connection of this loop sends
  private final ByteBuffer readBuf = ByteBuffer.allocateDirect(64 * 1024);

  private boolean closedLoop; // send the next line as soon as the echo is back
  private long windowStart = Long.MAX_VALUE, windowEnd; // round trips completed in [start, end) are counted
  private LatencyHistogram histogram = new LatencyHistogram();
  private long completed;
  private long errors;
  private int outstanding; // connections waiting for an echo
  private int connecting;

  private LoadGenerator(InetSocketAddress server, int lineBytes) throws IOException {
    this.selector = Selector.open();
    this.server = server;
    this.lineBytes = lineBytes;
    this.line = ByteBuffer.allocateDirect(lineBytes);
    for (int i = 0; i < lineBytes - 1; i++) line.put((byte) ('a' + i % 26));
    line.put((byte) '\n').flip();
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = -1, lineBytes = 64, idle = 0, threads = 1;
    int[] conns = {100, 1000};
    double warmup = 1.5, duration = 4;
    long[] pids = {};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--conns" -> conns = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--duration" -> duration = Double.parseDouble(args[++i]);
        case "--line" -> lineBytes = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--server-pids" -> pids = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
        case "--idle" -> idle = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (port < 0) throw new IllegalArgumentException("--port is required");
    if (lineBytes < 2) throw new IllegalArgumentException("--line < 2: " + lineBytes);
    if (threads < 1) throw new IllegalArgumentException("--threads < 1: " + threads);
    InetSocketAddress server = new InetSocketAddress(host, port);
    if (idle > 0) {
      new LoadGenerator(server, lineBytes).idle(idle);
      return;
    }
    List<LoadGenerator> loops = new ArrayList<>();
    for (int t = 0; t < threads; t++) loops.add(new LoadGenerator(server, lineBytes));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int n : conns) measure(pool, loops, n, warmup, duration, pids);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One closed-loop measurement at {@code n} connections, shared out among the loops. */
  private static void measure(ExecutorService pool, List<LoadGenerator> loops, int n, double warmup, double duration,
      long[] pids) throws Exception {
    List<Future<List<Conn>>> connected = new ArrayList<>();
    for (int t = 0; t < loops.size(); t++) {
      LoadGenerator g = loops.get(t);
      int share = n / loops.size() + (t < n % loops.size() ? 1 : 0);
      g.histogram = new LatencyHistogram();
      g.completed = g.errors = 0;
      g.closedLoop = true;
      connected.add(pool.submit(() -> g.connect(share, deadline(30))));
    }
    for (Future<List<Conn>> f : connected) f.get();
    long t0 = deadline(warmup), t1 = t0 + (long) (duration * NS);
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < loops.size(); t++) {
      LoadGenerator g = loops.get(t);
      List<Conn> conns = connected.get(t).get();
      g.windowStart = t0;
      g.windowEnd = t1;
      running.add(pool.submit(() -> {
        g.pump(t1, () -> false);
        g.closedLoop = false; // let the last echoes come back, so that no connection is reset with data in flight
        g.pump(deadline(5), () -> g.outstanding == 0);
        g.close(conns);
        return null;
      }));
    }
    long self = ProcessHandle.current().pid();
    sleepUntil(t0);
    double genCpu0 = ProcStat.cpuSeconds(self), serverCpu0 = cpu(pids), busy0 = ProcStat.machineBusySeconds();
    sleepUntil(t1);
    double genCpu1 = ProcStat.cpuSeconds(self), serverCpu1 = cpu(pids), busy1 = ProcStat.machineBusySeconds();
    for (Future<?> f : running) f.get();

    LatencyHistogram h = new LatencyHistogram();
    long completed = 0, errors = 0;
    for (LoadGenerator g : loops) {
      h.add(g.histogram);
      completed += g.completed;
      errors += g.errors;
    }
    double window = (t1 - t0) / (double) NS;
    String c = "c" + n + ".";
    result(c + "rt_per_s", completed / window);
    result(c + "p50_us", h.quantile(0.50) / 1e3);
    result(c + "p99_us", h.quantile(0.99) / 1e3);
    result(c + "p999_us", h.quantile(0.999) / 1e3);
    result(c + "errors", errors);
    double genCpu = (genCpu1 - genCpu0) / window, serverCpu = (serverCpu1 - serverCpu0) / window;
    result(c + "gen_cpu", genCpu);
    if (pids.length > 0) {
      result(c + "server_cpu", serverCpu);
      result(c + "other_cpu", (busy1 - busy0) / window - genCpu - serverCpu); // other work on the machine
    }
  }

  /** The memory protocol: warm the server up, sync, hold {@code n} connections that have each echoed once, sync. */
  private void idle(int n) throws IOException {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    closedLoop = false;
    List<Conn> warm = connect(100, deadline(30));
    pump(deadline(30), () -> outstanding == 0);
    close(warm);
    sync("base", stdin);
    List<Conn> conns = connect(n, deadline(120));
    pump(deadline(60), () -> outstanding == 0);
    result("idle_conns", conns.size() - outstanding);
    result("idle_errors", errors);
    sync("idle", stdin);
    close(conns);
  }

  private static void sync(String tag, BufferedReader stdin) throws IOException {
    System.out.println("@sync " + tag);
    System.out.flush();
    stdin.readLine();
  }

  private static void result(String metric, double value) {
    System.out.println(String.format(Locale.ROOT, "@result %s %.3f", metric, value));
    System.out.flush();
  }

  private static double cpu(long[] pids) {
    double s = 0;
    for (long p : pids) s += ProcStat.cpuSeconds(p);
    return s;
  }

  private static long deadline(double seconds) {
    return System.nanoTime() + (long) (seconds * NS);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  /* ---------------- the event loop ---------------- */

  /** Opens {@code n} connections, at most MAX_CONNECTING at a time; each sends its first line once connected. */
  private List<Conn> connect(int n, long deadline) throws IOException {
    List<Conn> conns = new ArrayList<>(n);
    int started = 0;
    while (started < n || connecting > 0) {
      while (started < n && connecting < MAX_CONNECTING) {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(ch);
        conns.add(c);
        started++;
        if (ch.connect(server)) {
          c.key = ch.register(selector, SelectionKey.OP_READ, c);
          send(c);
        } else {
          c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
          connecting++;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(String.format("connecting %d connections to %s: %d still connecting after the deadline",
            n, server, connecting));
      }
      selector.select(this::ready, 100);
    }
    conns.removeIf(c -> !c.ch.isOpen());
    if (conns.size() < n) {
      throw new IOException(String.format("connecting to %s: only %d of %d connections succeeded", server, conns.size(), n));
    }
    return conns;
  }

  /** Runs the event loop until {@code done} or the deadline. */
  private void pump(long deadline, BooleanSupplier done) throws IOException {
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return;
      selector.select(this::ready, Math.max(1, Math.min(100, left / 1_000_000)));
    }
  }

  private void ready(SelectionKey key) {
    Conn c = (Conn) key.attachment();
    try {
      if (key.isConnectable()) {
        connecting--;
        c.ch.finishConnect();
        key.interestOps(SelectionKey.OP_READ);
        send(c);
        return;
      }
      if (key.isWritable()) writeRest(c);
      if (key.isReadable()) read(c);
    } catch (IOException e) {
      errors++;
      if (c.awaiting) outstanding--;
      c.awaiting = false;
      closeQuietly(c);
    }
  }

  private void send(Conn c) throws IOException {
    c.awaiting = true;
    c.got = 0;
    outstanding++;
    c.sentAt = System.nanoTime();
    line.clear();
    c.ch.write(line);
    c.written = line.position();
    if (c.written < lineBytes) c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
  }

  private void writeRest(Conn c) throws IOException {
    line.clear().position(c.written);
    c.ch.write(line);
    c.written = line.position();
    if (c.written == lineBytes) c.key.interestOps(SelectionKey.OP_READ);
  }

  /** Reads the echo: lineBytes bytes ending "\n", or lineBytes + 1 ending "\r\n". */
  private void read(Conn c) throws IOException {
    readBuf.clear();
    int r = c.ch.read(readBuf);
    if (r < 0) throw new IOException("closed by the server");
    for (int i = 0; i < r; i++) {
      byte b = readBuf.get(i);
      c.got++;
      if (b != '\n') {
        c.last = b;
        continue;
      }
      long now = System.nanoTime();
      boolean ok = c.awaiting && (c.got == lineBytes || (c.got == lineBytes + 1 && c.last == '\r'));
      if (!ok || i != r - 1) errors++; // a malformed echo, or more than was sent
      c.got = 0;
      if (!c.awaiting) continue;
      c.awaiting = false;
      outstanding--;
      if (now >= windowStart && now < windowEnd) {
        completed++;
        histogram.record(now - c.sentAt);
      }
      if (closedLoop) send(c);
    }
  }

  private void close(List<Conn> conns) {
    for (Conn c : conns) closeQuietly(c);
    try {
      selector.selectNow(); // flushes the cancelled keys
    } catch (IOException ignored) {
      // nothing registered matters any more
    }
  }

  private static void closeQuietly(Conn c) {
    if (c.key != null) c.key.cancel();
    try {
      c.ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** One connection's state in the closed loop. */
  private static final class Conn {
    final SocketChannel ch;
    SelectionKey key;
    long sentAt;
    int written; // bytes of the current line written
    int got; // bytes of the current echo read
    byte last; // the byte before the one being read
    boolean awaiting; // a line is out and its echo not yet back

    Conn(SocketChannel ch) {
      this.ch = ch;
    }
  }
}
