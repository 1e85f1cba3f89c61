package dev.spindle.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The line echo server benchmark: the same echo server as Spindle script, as cqueues script on lua5.4 and as a plain
 * Java NIO loop, each in its own process, driven over loopback by one {@link LoadGenerator} process, round by round.
 *
 * <p>One reactor: the server is pinned to one core and the generator to the other ({@code taskset}). Every server
 * kind is started once and serves one warm-up round (not recorded) and then every round; each round runs the
 * generator against every kind in turn (the order rotates from round to round) at every connection count. Then the
 * memory per idle connection, with a fresh server of each kind, then the same rounds with two reactors on the two cores:
 * two server processes sharing the port through SO_REUSEPORT, pinned to a core each, with the generator floating,
 * or ({@code --two-reactors threads}) one process with two reactors, when the server can do that ({@code
 * reactors=2} needs cqueues.thread).
 *
 * <pre>
 * java -cp spindle-bench.jar dev.spindle.bench.echo.EchoBench [options]
 *   --kinds LIST          java-nio, cqueues, spindle (default: all three)
 *   --conns LIST          connection counts (default 100,1000)
 *   --rounds N            measured rounds per variant (default 3)
 *   --warmup S            seconds of load before each measurement (default 1.5)
 *   --duration S          seconds measured (default 4)
 *   --idle N              idle connections for the memory figure (default 10000; 0 leaves it out)
 *   --two-reactors MODE   procs (default), threads, or off
 *   --lua EXE             the cqueues peer's interpreter (default lua5.4)
 *   --script FILE         echo_server.lua (default: the copy on the class path)
 *   --spindle-jar FILE    the spindle command line jar (spindle-cli/target/spindle.jar); without it, no Spindle
 *   --cores A,B           the two cores (default 0,1): server on A, generator on B; two reactors on A and B
 *   --gen-cores LIST      pin the generator here instead (taskset list, e.g. 1-3), in both variants
 *   --gen-threads T       the generator's event loops (default 1; more only where it has more cores to itself)
 *   --max-other C         a measurement during which other work took more than C cores (default 0.3) is done
 *                         again, up to --retries N times (default 2); the report counts the ones kept anyway.
 *                         Before each measurement, waits for the machine to be that quiet, --max-wait S seconds
 *                         at most over the whole run (default 120)
 *   --pid-file FILE       appends the pid of every process started, for the driver's clean-up
 *   --raw                 also print every single measurement
 * </pre>
 *
 * Prints a markdown report on standard output; progress goes to standard error.
 */
public final class EchoBench {
  static final String JAVA_NIO = "java-nio", CQUEUES = "cqueues", SPINDLE = "spindle";
  private static final String ONE = "one", TWO = "two";

  private final Options o;
  private final Map<String, List<Double>> results = new LinkedHashMap<>(); // "variant kind metric" -> per round
  private final Map<String, String> skipped = new LinkedHashMap<>(); // "variant kind" -> why
  private final Map<String, Integer> disturbed = new LinkedHashMap<>(); // "variant kind" -> rounds kept though busy
  private final Map<String, Double> memory = new LinkedHashMap<>(); // "kind metric" -> value
  private final Set<ServerProcess> live = ConcurrentHashMap.newKeySet();
  private double waited; // seconds spent waiting for a quiet machine

  private EchoBench(Options o) {
    this.o = o;
  }

  /** What the command line says. */
  private static final class Options {
    List<String> kinds = List.of(JAVA_NIO, CQUEUES, SPINDLE);
    int[] conns = {100, 1000};
    int rounds = 3, idle = 10_000;
    double warmup = 1.5, duration = 4;
    String twoReactors = "procs", lua = "lua5.4", cores = "0,1", genCores;
    int genThreads = 1, retries = 2;
    double maxOther = 0.3, maxWait = 120;
    Path script, spindleJar, pidFile;
    boolean raw;

    String core(int i) {
      return cores.split(",")[i];
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kinds" -> o.kinds = List.of(args[++i].split(","));
        case "--conns" -> o.conns = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> o.warmup = Double.parseDouble(args[++i]);
        case "--duration" -> o.duration = Double.parseDouble(args[++i]);
        case "--idle" -> o.idle = Integer.parseInt(args[++i]);
        case "--two-reactors" -> o.twoReactors = args[++i];
        case "--lua" -> o.lua = args[++i];
        case "--script" -> o.script = Path.of(args[++i]);
        case "--spindle-jar" -> o.spindleJar = Path.of(args[++i]);
        case "--cores" -> o.cores = args[++i];
        case "--gen-cores" -> o.genCores = args[++i];
        case "--gen-threads" -> o.genThreads = Integer.parseInt(args[++i]);
        case "--max-other" -> o.maxOther = Double.parseDouble(args[++i]);
        case "--retries" -> o.retries = Integer.parseInt(args[++i]);
        case "--max-wait" -> o.maxWait = Double.parseDouble(args[++i]);
        case "--pid-file" -> o.pidFile = Path.of(args[++i]);
        case "--raw" -> o.raw = true;
        case "-h", "--help" -> {
          System.out.println("usage: EchoBench [--kinds java-nio,cqueues,spindle] [--conns 100,1000] [--rounds N] "
              + "[--warmup S] [--duration S] [--idle N] [--two-reactors procs|threads|off] [--lua EXE] [--script FILE] "
              + "[--spindle-jar FILE] [--cores A,B] [--gen-cores LIST] [--gen-threads T] [--max-other C] [--retries N] [--max-wait S] "
              + "[--pid-file FILE] [--raw]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    for (String k : o.kinds) {
      if (!List.of(JAVA_NIO, CQUEUES, SPINDLE).contains(k)) throw new IllegalArgumentException("unknown kind " + k);
    }
    if (!List.of("procs", "threads", "off").contains(o.twoReactors)) {
      throw new IllegalArgumentException("--two-reactors procs|threads|off: " + o.twoReactors);
    }
    if (o.script == null) o.script = extractScript();
    EchoBench b = new EchoBench(o);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> b.live.forEach(ServerProcess::close)));
    b.notePid(ProcessHandle.current().pid());
    b.run();
  }

  private void run() throws Exception {
    if (o.spindleJar == null && o.kinds.contains(SPINDLE)) {
      skipped.put(ONE + " " + SPINDLE, "no --spindle-jar given");
      skipped.put(TWO + " " + SPINDLE, "no --spindle-jar given");
    }
    int idle = Math.min(o.idle, openFileLimit() - 200);
    if (idle < o.idle) progress("note: the open-file limit allows %d idle connections, not %d (raise ulimit -n)", idle, o.idle);
    variant(ONE);
    if (idle > 0) {
      for (String kind : o.kinds) idleMemory(kind, idle);
    }
    if (!o.twoReactors.equals("off")) variant(TWO);
    System.out.print(report(idle));
    System.out.flush();
  }

  private List<String> rotated(int round) {
    List<String> k = new ArrayList<>(o.kinds);
    Collections.rotate(k, -(round - 1));
    return k;
  }

  /* ---------------- measuring ---------------- */

  /**
   * All rounds of a variant. Every server is started once and serves all rounds, so that the JVM servers are
   * measured with their code compiled, as a long-running server would be: one warm-up round, not recorded, comes
   * first.
   */
  private void variant(String variant) throws InterruptedException {
    String name = variant.equals(ONE) ? "one reactor" : "two reactors (" + o.twoReactors + ")";
    Map<String, List<ServerProcess>> servers = new LinkedHashMap<>();
    try {
      for (String kind : o.kinds) {
        if (skipped.containsKey(variant + " " + kind)) continue;
        try {
          servers.put(kind, startServers(variant, kind));
        } catch (IOException e) {
          leaveOut(variant, kind, e);
        }
      }
      progress("%s: warm-up round", name);
      for (String kind : o.kinds) measure(variant, kind, servers.get(kind), false);
      for (int r = 1; r <= o.rounds; r++) {
        progress("%s: round %d of %d", name, r, o.rounds);
        for (String kind : rotated(r)) measure(variant, kind, servers.get(kind), true);
      }
    } finally {
      for (List<ServerProcess> l : servers.values()) l.forEach(this::stop);
    }
  }

  /** The server process(es) of one kind for a variant, pinned as the variant says. */
  private List<ServerProcess> startServers(String variant, String kind) throws IOException {
    List<ServerProcess> servers = new ArrayList<>();
    try {
      if (variant.equals(ONE)) {
        servers.add(startServer(kind, o.core(0), 0, false, 1));
      } else if (o.twoReactors.equals("threads")) {
        servers.add(startServer(kind, o.cores, 0, true, 2));
      } else {
        servers.add(startServer(kind, o.core(0), 0, true, 1));
        servers.add(startServer(kind, o.core(1), servers.get(0).port(), true, 1));
      }
      return servers;
    } catch (IOException e) {
      servers.forEach(this::stop);
      throw e;
    }
  }

  /**
   * One kind in one round of a variant: the generator at every connection count against the running server(s).
   * When other work on the machine took more than --max-other cores during the measured windows (the machine is
   * shared), measures again, at most --retries times; waits for a quiet machine before each attempt.
   */
  private void measure(String variant, String kind, List<ServerProcess> servers, boolean record)
      throws InterruptedException {
    String key = variant + " " + kind;
    if (skipped.containsKey(key) || servers == null) return;
    try {
      Map<String, Double> res;
      for (int attempt = 0; ; attempt++) {
        if (record) awaitQuiet();
        for (ServerProcess s : servers) s.checkAlive();
        res = generate(variant, servers, record ? o.duration : 1);
        double other = res.entrySet().stream().filter(e -> e.getKey().endsWith(".other_cpu"))
            .mapToDouble(Map.Entry::getValue).max().orElse(0);
        if (!record || other <= o.maxOther) break;
        if (attempt == o.retries) {
          disturbed.merge(key, 1, Integer::sum);
          break;
        }
        progress("  %s: other work took %.2f cores during the measurement; measuring again", kind, other);
      }
      for (Map.Entry<String, Double> e : res.entrySet()) {
        if (o.raw) progress("  %-4s %-8s %-18s %14.3f%s", variant, kind, e.getKey(), e.getValue(), record ? "" : " (warm-up)");
        if (record) results.computeIfAbsent(key + " " + e.getKey(), x -> new ArrayList<>()).add(e.getValue());
      }
    } catch (IOException | RuntimeException e) {
      leaveOut(variant, kind, e);
      servers.forEach(this::stop);
    }
  }

  private void leaveOut(String variant, String kind, Exception e) {
    skipped.put(variant + " " + kind, e.getMessage());
    progress("%s, %s: left out from here on: %s", variant.equals(ONE) ? "one reactor" : "two reactors", kind, e.getMessage());
  }

  /**
   * Waits until the rest of the machine keeps fewer than --max-other cores busy (sampled over a second, while the
   * servers are idle), or the run's --max-wait budget is spent.
   */
  private void awaitQuiet() throws InterruptedException {
    boolean said = false;
    while (waited < o.maxWait) {
      double busy0 = ProcStat.machineBusySeconds();
      Thread.sleep(1000);
      waited++;
      double other = ProcStat.machineBusySeconds() - busy0;
      if (busy0 < 0 || other <= o.maxOther) return;
      if (!said) progress("  waiting for the machine to be quiet (other work: %.2f cores)", other);
      said = true;
    }
  }

  /** Runs the generator at every connection count against {@code servers}; its @result lines. */
  private Map<String, Double> generate(String variant, List<ServerProcess> servers, double duration)
      throws IOException, InterruptedException {
    String genCore = o.genCores != null ? o.genCores : variant.equals(ONE) ? o.core(1) : null;
    List<String> args = List.of("--port", Integer.toString(servers.get(0).port()), "--conns", join(o.conns),
        "--threads", Integer.toString(o.genThreads), "--warmup", Double.toString(o.warmup),
        "--duration", Double.toString(duration),
        "--server-pids", String.join(",", servers.stream().map(s -> Long.toString(s.pid())).toList()));
    long timeout = (long) (o.conns.length * (o.warmup + duration + 40) + 30);
    return generator(genCore, args, timeout, tag -> {});
  }

  /** Memory per idle connection: server RSS (and the Java heap, for the Java server) before and with N idle. */
  private void idleMemory(String kind, int idle) {
    if (skipped.containsKey(ONE + " " + kind)) return;
    progress("memory: %s with %,d idle connections", kind, idle);
    ServerProcess s = null;
    try {
      s = startServer(kind, o.core(0), 0, false, 1);
      ServerProcess server = s;
      long[] at = new long[4]; // rss before, heap before, rss idle, heap idle
      Map<String, Double> res = generator(o.genCores != null ? o.genCores : o.core(1), List.of("--port", Integer.toString(s.port()), "--idle",
          Integer.toString(idle)), 300, tag -> {
            try {
              Thread.sleep(500); // let the server finish what the last echo started
              int i = tag.equals("base") ? 0 : 2;
              at[i] = server.rssBytes();
              at[i + 1] = kind.equals(JAVA_NIO) ? server.heapUsed() : -1;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      double n = res.getOrDefault("idle_conns", 0.0);
      if (n <= 0) throw new IOException("no idle connection held");
      memory.put(kind + " conns", n);
      memory.put(kind + " rss_before", (double) at[0]);
      memory.put(kind + " rss_idle", (double) at[2]);
      memory.put(kind + " rss_per_conn", (at[2] - at[0]) / n);
      if (at[1] >= 0 && at[3] >= 0) memory.put(kind + " heap_per_conn", (at[3] - at[1]) / n);
    } catch (IOException | RuntimeException e) {
      progress("memory, %s: failed: %s", kind, e.getMessage());
      memory.put(kind + " failed", 1.0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (s != null) stop(s);
    }
  }

  /** Starts one server of {@code kind} pinned to {@code cores} (null: not pinned). */
  private ServerProcess startServer(String kind, String cores, int port, boolean reuseport, int reactors)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    if (cores != null) cmd.addAll(List.of("taskset", "-c", cores));
    switch (kind) {
      case JAVA_NIO -> {
        cmd.addAll(List.of(java(), "-cp", System.getProperty("java.class.path"), NioEchoServer.class.getName(),
            "127.0.0.1", Integer.toString(port)));
        if (reuseport) cmd.add("--reuseport");
        if (reactors > 1) cmd.addAll(List.of("--reactors", Integer.toString(reactors)));
      }
      case CQUEUES, SPINDLE -> {
        if (kind.equals(CQUEUES)) cmd.add(o.lua);
        else cmd.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", o.spindleJar.toString(), "run"));
        cmd.addAll(List.of(o.script.toString(), "127.0.0.1", Integer.toString(port)));
        if (reactors > 1) cmd.add("reactors=" + reactors);
        else if (reuseport) cmd.add("reuseport");
      }
      default -> throw new IllegalArgumentException(kind);
    }
    ServerProcess s = ServerProcess.start(kind, cmd, 30);
    live.add(s);
    notePid(s.pid());
    return s;
  }

  private void stop(ServerProcess s) {
    s.close();
    live.remove(s);
  }

  /**
   * Runs a {@link LoadGenerator} pinned to {@code core} (null: floating) and returns its @result lines; each
   * "@sync TAG" line calls {@code sync} and then lets the generator go on.
   */
  private Map<String, Double> generator(String core, List<String> args, long timeoutSeconds, Consumer<String> sync)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (core != null) cmd.addAll(List.of("taskset", "-c", core));
    cmd.addAll(List.of(java(), "-cp", System.getProperty("java.class.path"), LoadGenerator.class.getName()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    notePid(p.pid());
    Map<String, Double> res = new LinkedHashMap<>();
    Thread watchdog = new Thread(() -> {
      try {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException ignored) {
        p.destroyForcibly();
      }
    });
    watchdog.setDaemon(true);
    watchdog.start();
    try (InputStream out = p.getInputStream(); OutputStream in = p.getOutputStream();
        BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        String[] f = l.trim().split("\\s+");
        if (f[0].equals("@result") && f.length == 3) {
          res.put(f[1], Double.parseDouble(f[2]));
        } else if (f[0].equals("@sync") && f.length == 2) {
          sync.accept(f[1]);
          in.write('\n');
          in.flush();
        } else {
          System.err.println("| generator: " + l);
        }
      }
    } finally {
      if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      watchdog.interrupt();
    }
    if (p.exitValue() != 0) throw new IOException("the load generator failed (exit status " + p.exitValue() + ")");
    return res;
  }

  private void notePid(long pid) {
    if (o.pidFile == null) return;
    try {
      Files.writeString(o.pidFile, pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      progress("cannot write %s: %s", o.pidFile, e.getMessage());
    }
  }

  /* ---------------- the report ---------------- */

  private String report(int idle) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "- %d measured rounds per variant, after one warm-up round that is not recorded; "
        + "each server is started once per variant and serves every round (so the JVM servers run compiled code, as "
        + "a long-running server would); each round runs the load generator against every server in turn (the order "
        + "rotates from round to round) at %s connections, one after the other on fresh connections: %.1f s of load, "
        + "then %.1f s measured. Closed loop: "
        + "each connection sends a %d-byte line and waits for its echo before sending the next. Median of the rounds; "
        + "CPU columns are CPU time over the measured window, in cores (1.00 = one core all the time): the server "
        + "process(es), the generator, and the rest of the machine (kernel work charged to neither, other programs: "
        + "the machine is shared; each measurement waits for it to be quiet, and one with more than %.2f cores of "
        + "other work is done again, up to %d times; %.0f s were spent waiting in this run). \"Round trips/s per server "
        + "core\" divides the rate by the server's CPU: what the server would do with its core to itself, where the "
        + "generator, not the server, was the limit.%n",
        o.rounds, join(o.conns), o.warmup, o.duration, 64, o.maxOther, o.retries, waited));
    b.append("- servers: `java-nio` is `dev.spindle.bench.echo.NioEchoServer` (one thread, one Selector); `cqueues` is `")
        .append(o.lua).append(" echo_server.lua`; `spindle` is `spindle run echo_server.lua` (the same script)\n\n");

    b.append(String.format(Locale.ROOT, "### One reactor (server on core %s, load generator on core %s)%n%n",
        o.core(0), o.genCores != null ? o.genCores : o.core(1)));
    table(b, ONE);
    goals(b, ONE);

    if (idle > 0) {
      b.append(String.format(Locale.ROOT, "### Memory per idle connection (%,d connections, each has echoed one line)%n%n", idle));
      b.append("Server RSS (/proc/PID/status VmRSS) after 100 warm-up connections have come and gone, and with the idle "
          + "connections open; for the Java NIO server also its heap in use after a full collection.\n\n");
      b.append("| server | RSS before | RSS with the idle connections | RSS per connection | Java heap per connection |\n");
      b.append("| --- | ---: | ---: | ---: | ---: |\n");
      for (String kind : o.kinds) {
        if (!memory.containsKey(kind + " rss_per_conn")) {
          b.append("| ").append(kind).append(" | ").append(why(ONE, kind, "failed")).append(" | | | |\n");
          continue;
        }
        Double heap = memory.get(kind + " heap_per_conn");
        b.append(String.format(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | **%,.0f B** | %s |%n", kind,
            memory.get(kind + " rss_before") / (1 << 20), memory.get(kind + " rss_idle") / (1 << 20),
            memory.get(kind + " rss_per_conn"), heap == null ? "" : String.format(Locale.ROOT, "%,.0f B", heap)));
      }
      b.append('\n');
    }

    if (!o.twoReactors.equals("off")) {
      b.append(o.twoReactors.equals("procs")
          ? String.format(Locale.ROOT, "### Two reactors: two server processes sharing the port (SO_REUSEPORT), on cores "
              + "%s and %s; %s%n%n", o.core(0), o.core(1), twoGen())
          : String.format(Locale.ROOT, "### Two reactors in one server process (reactors=2), pinned to cores %s; %s%n%n",
              o.cores, twoGen()));
      table(b, TWO);
      goals(b, TWO);
    }
    return b.toString();
  }

  private String twoGen() {
    return o.genCores != null ? "the load generator on cores " + o.genCores
        : "the load generator is not pinned and shares the cores with the servers";
  }

  private void table(StringBuilder b, String variant) {
    b.append("| server | connections | round trips/s | min – max | vs cqueues | vs Java NIO | p50 µs | p99 µs | p99.9 µs "
        + "| server CPU | generator CPU | other CPU | round trips/s per server core | errors |\n");
    b.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    List<String> notes = new ArrayList<>();
    for (int c : o.conns) {
      for (String kind : o.kinds) {
        String k = variant + " " + kind + " c" + c + ".";
        List<Double> rt = results.get(k + "rt_per_s");
        if (rt == null) {
          b.append(String.format(Locale.ROOT, "| %s | %,d | %s | | | | | | | | | | | |%n", kind, c, why(variant, kind, "no data")));
          continue;
        }
        double med = median(rt);
        double cq = median(results.get(variant + " " + CQUEUES + " c" + c + ".rt_per_s"));
        double jv = median(results.get(variant + " " + JAVA_NIO + " c" + c + ".rt_per_s"));
        double server = median(results.get(k + "server_cpu")), gen = median(results.get(k + "gen_cpu"));
        b.append(String.format(Locale.ROOT, "| %s | %,d | **%,.0f** | %,.0f – %,.0f | %s | %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %,.0f | %.0f |%n",
            kind, c, med, min(rt), max(rt), ratio(med, cq), ratio(med, jv), median(results.get(k + "p50_us")),
            median(results.get(k + "p99_us")), median(results.get(k + "p999_us")), server, gen,
            median(results.get(k + "other_cpu")), med / server, results.get(k + "errors").stream().mapToDouble(Double::doubleValue).sum()));
        if (variant.equals(ONE) && o.genThreads == 1 && gen >= 0.9 && gen >= server - 0.05) {
          notes.add(String.format(Locale.ROOT, "%s at %,d connections: the load generator was about as busy as the server "
              + "(%.2f vs %.2f cores), so this figure is the generator's limit as much as the server's: a lower bound of "
              + "what the server can do", kind, c, gen, server));
        }
      }
    }
    b.append('\n');
    for (String kind : o.kinds) {
      Integer d = disturbed.get(variant + " " + kind);
      if (d != null) {
        notes.add(String.format(Locale.ROOT, "%s: %d of the rounds kept had other work taking more than %.2f cores "
            + "(after %d retries each)", kind, d, o.maxOther, o.retries));
      }
    }
    for (String n : notes) b.append("- note: ").append(n).append('\n');
    if (!notes.isEmpty()) b.append('\n');
  }

  /** The goals for Spindle: ≥ 1.3x cqueues, ≥ 0.8x the Java loop, p99 no worse than cqueues'. */
  private void goals(StringBuilder b, String variant) {
    if (!o.kinds.contains(SPINDLE)) return;
    b.append("| goal (Spindle) | connections | Spindle | target | met |\n| --- | ---: | --- | --- | --- |\n");
    for (int c : o.conns) {
      String p = variant + " %s c" + c + ".";
      double s = median(results.get(String.format(p, SPINDLE) + "rt_per_s"));
      double cq = median(results.get(String.format(p, CQUEUES) + "rt_per_s"));
      double jv = median(results.get(String.format(p, JAVA_NIO) + "rt_per_s"));
      double sp99 = median(results.get(String.format(p, SPINDLE) + "p99_us"));
      double cqp99 = median(results.get(String.format(p, CQUEUES) + "p99_us"));
      if (Double.isNaN(s)) {
        b.append(String.format(Locale.ROOT, "| all three | %,d | %s | | pending |%n", c, why(variant, SPINDLE, "no data")));
        continue;
      }
      b.append(goalRow("vs cqueues", c, s / cq, "%.2fx", "≥ 1.3x", s / cq >= 1.3));
      b.append(goalRow("vs Java NIO", c, s / jv, "%.2fx", "≥ 0.8x", s / jv >= 0.8));
      b.append(goalRow("p99 latency vs cqueues'", c, sp99 / cqp99,
          String.format(Locale.ROOT, "%.0f µs vs %.0f µs: %%.2fx", sp99, cqp99), "≤ 1.0x", sp99 <= cqp99));
    }
    b.append('\n');
  }

  private static String goalRow(String what, int c, double v, String fmt, String target, boolean met) {
    return String.format(Locale.ROOT, "| %s | %,d | " + fmt + " | %s | %s |%n", what, c, v, target,
        Double.isNaN(v) ? "n/a" : met ? "**yes**" : "**no**");
  }

  private String why(String variant, String kind, String otherwise) {
    String s = skipped.get(variant + " " + kind);
    if (s == null) return otherwise;
    s = s.replace('|', '/');
    return "left out: " + (s.length() > 160 ? s.substring(0, 160) + "…" : s);
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "" : String.format(Locale.ROOT, "%.2fx", a / b);
  }

  private static double median(List<Double> v) {
    if (v == null || v.isEmpty()) return Double.NaN;
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /* ---------------- environment ---------------- */

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String join(int[] v) {
    return String.join(",", Arrays.stream(v).mapToObj(Integer::toString).toList());
  }

  /** The soft limit on open files of this process (inherited by the servers and the generator). */
  private static int openFileLimit() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (l.startsWith("Max open files")) return Integer.parseInt(l.substring(26).trim().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    return 1024;
  }

  /** Copies echo_server.lua from the class path to a temporary file, for lua5.4 and spindle run. */
  private static Path extractScript() throws IOException {
    Path f = Files.createTempFile("echo_server", ".lua");
    f.toFile().deleteOnExit();
    try (InputStream in = EchoBench.class.getResourceAsStream("/bench/echo_server.lua")) {
      if (in == null) throw new IllegalStateException("missing resource bench/echo_server.lua");
      Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
    }
    return f;
  }

  private static void progress(String fmt, Object... args) {
    System.err.println(String.format(Locale.ROOT, fmt, args));
  }
}
