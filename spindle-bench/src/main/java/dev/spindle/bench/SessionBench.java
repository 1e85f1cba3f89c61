package dev.spindle.bench;

import dev.spindle.ScriptResult;
import dev.spindle.ScriptRun;
import dev.spindle.Spindle;
import dev.spindle.kernel.session.EntryKey;
import dev.spindle.kernel.session.InMemorySessionStore;
import dev.spindle.kernel.session.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Atomic increments per second on the process-wide session store, side by side with their peers in one run.
 *
 * <ul>
 *   <li><b>Java</b>: {@link InMemorySessionStore#increment} from 1..12 platform threads, on one entry (hot
 *       key) and spread over 1024 entries; peers in the same rounds: {@code ConcurrentHashMap<String, Long>}
 *       with {@code merge(k, 1L, Long::sum)} (like increment, an atomic read-modify-write that yields a
 *       value) and {@code ConcurrentHashMap<String, LongAdder>} ({@code get(k).increment()}: striped, yields
 *       nothing; the upper limit of a counter map).
 *   <li><b>Scripts</b>: {@code session.increment(name)} in a Lua loop, in 1..12 isolated scripts (parallel
 *       runs of one {@link Spindle}, each its own OS thread and Lua state), plus one main script that starts 2
 *       background scripts with {@code script.run_background}; and, for the cost breakdown, the same loop
 *       calling a Lua function and a host function ({@code nmap.clock}) instead.
 *   <li><b>Redis</b> (optional): {@code redis-benchmark -t incr} against a server on loopback, unpipelined and
 *       pipelined, run as a child process in the same rounds.
 * </ul>
 *
 * Method: plain timed loops. One warm-up round (not recorded), then {@code --reps} rounds; each round measures
 * every configuration once, so all figures see the same machine at the same time; the report gives the
 * median over rounds. Java figures run all threads for a fixed window behind a start latch and count
 * operations; script figures give each script a fixed count N and a common start time (the scripts sleep
 * until it, so Lua state creation is not timed), and the rate is all operations over (last end - first
 * start). Every figure checks that no increment was lost (the store's final values sum to the operations).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp spindle-bench/target/spindle-bench.jar dev.spindle.bench.SessionBench
 *   --reps N             measured rounds (default 5)
 *   --window-ms MS       the window of each Java figure (default 150)
 *   --threads LIST       Java thread and script counts (default 1,2,4,8,12)
 *   --script-ops N       increments per script figure, split among its scripts (default 500000)
 *   --redis-port P       run redis-benchmark against 127.0.0.1:P (default: no Redis figures)
 *   --redis-benchmark X  the redis-benchmark executable (default redis-benchmark)
 *   --redis-n N          requests per redis-benchmark run (default 200000)
 *   --raw                also print every single measurement
 * </pre>
 *
 * Prints a markdown report on standard output; progress goes to standard error.
 */
public final class SessionBench {
  /** The worker script: arguments n, mode, id, start_at (epoch s), report (nil or a name for session). */
  static final String WORKER =
      """
      local session = require "session"
      local clock = require("nmap").clock
      local sleep = require("stdnse").sleep
      local n, mode, id, start_at, report = ...
      n = math.tointeger(tonumber(n)); id = math.tointeger(tonumber(id)); start_at = tonumber(start_at)
      local inc = session.increment
      local keys = {}
      for i = 0, 1023 do keys[i] = "k" .. i end
      local function f(name) return 0 end
      local wait = start_at - clock()
      if wait > 0.0005 then sleep(wait) end
      local t0 = clock()
      if mode == "hot" then
        for _ = 1, n do inc("hot") end
      elseif mode == "many" then
        local j = id * 97
        for _ = 1, n do j = j + 1; inc(keys[j & 1023]) end
      elseif mode == "luacall" then
        for _ = 1, n do f("hot") end
      elseif mode == "hostcall" then
        for _ = 1, n do clock() end
      else
        error("unknown mode " .. tostring(mode))
      end
      local t1 = clock()
      local r = ("%d %.9f %.9f"):format(n, t0 - start_at, t1 - start_at)
      if report then session.set("bench", report, r) end
      return r
      """;

  /** The main script of the background figure: starts 2 background workers and returns their reports. */
  static final String BACKGROUND_MAIN =
      """
      local script = require "script"
      local session = require "session"
      local path, n, mode, start_at = ...
      local hs = {}
      for i = 1, 2 do hs[i] = script.run_background(path, n, mode, tostring(i), start_at, "bg" .. i) end
      for i = 1, 2 do script.wait(hs[i]) end
      return session.get_string("bench", "bg1"), session.get_string("bench", "bg2")
      """;

  private static final int KEYS = 1024;
  /** Scripts start this long after they are launched (Lua state creation takes a few ms each). */
  private static double leadSeconds(int scripts) {
    return 0.1 + 0.03 * scripts;
  }

  private final Map<String, List<Double>> results = new LinkedHashMap<>(); // figure -> one value per round
  private final Map<String, String> info = new LinkedHashMap<>();
  private final int[] threads;
  private final long windowMs;
  private final int scriptOps;
  private final Integer redisPort;
  private final String redisBenchmark;
  private final int redisN;
  private final boolean raw;
  private final Spindle spindle;
  private final SessionStore scriptStore = new InMemorySessionStore();
  private final Path workerFile;
  private boolean recording = true;

  private SessionBench(int[] threads, long windowMs, int scriptOps, Integer redisPort, String redisBenchmark,
      int redisN, boolean raw) throws IOException {
    this.threads = threads;
    this.windowMs = windowMs;
    this.scriptOps = scriptOps;
    this.redisPort = redisPort;
    this.redisBenchmark = redisBenchmark;
    this.redisN = redisN;
    this.raw = raw;
    this.spindle = Spindle.builder().sessionStore(scriptStore).build();
    Path dir = Files.createTempDirectory("spindle-session-bench");
    workerFile = dir.resolve("worker.lua");
    Files.writeString(workerFile, WORKER);
    workerFile.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
  }

  public static void main(String[] args) throws Exception {
    int reps = 5;
    long windowMs = 150;
    int[] threads = {1, 2, 4, 8, 12};
    int scriptOps = 500_000;
    Integer redisPort = null;
    String redisBenchmark = "redis-benchmark";
    int redisN = 200_000;
    boolean raw = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--script-ops" -> scriptOps = Integer.parseInt(args[++i]);
        case "--redis-port" -> redisPort = Integer.parseInt(args[++i]);
        case "--redis-benchmark" -> redisBenchmark = args[++i];
        case "--redis-n" -> redisN = Integer.parseInt(args[++i]);
        case "--raw" -> raw = true;
        case "-h", "--help" -> {
          System.out.println("usage: SessionBench [--reps N] [--window-ms MS] [--threads 1,2,4,8,12] "
              + "[--script-ops N] [--redis-port P] [--redis-benchmark EXE] [--redis-n N] [--raw]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SessionBench b = new SessionBench(threads, windowMs, scriptOps, redisPort, redisBenchmark, redisN, raw);
    try {
      long start = System.nanoTime();
      b.recording = false; // warm-up: class loading, JIT, native library loading; not recorded
      progress("warm-up round");
      b.round(true);
      b.recording = true;
      for (int r = 1; r <= reps; r++) {
        progress("round %d of %d", r, reps);
        b.round(false);
      }
      b.info.put("bench time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - start) / 1e9));
      b.report(reps);
    } finally {
      b.spindle.close();
    }
  }

  private static void progress(String fmt, Object... args) {
    System.err.println("SessionBench: " + String.format(Locale.ROOT, fmt, args));
  }

  /* ---------------- one round ---------------- */

  private int rounds; // rounds begun, for rotating the order of the Java figures

  private void round(boolean warmup) throws Exception {
    long window = warmup ? Math.max(20, windowMs / 3) : windowMs;
    List<String> impls = new ArrayList<>(List.of("session", "chm-merge", "chm-adder"));
    java.util.Collections.rotate(impls, rounds++); // no implementation always runs first
    for (int t : threads) {
      for (int keys : new int[] {1, KEYS}) {
        for (String impl : impls) javaFigure(impl, t, keys, window);
      }
    }
    int ops = warmup ? scriptOps / 4 : scriptOps;
    for (int k : threads) {
      scriptFigure("hot", k, ops);
      scriptFigure("many", k, ops);
    }
    backgroundFigure(ops);
    for (int k : new int[] {1, 2}) {
      scriptFigure("luacall", k, ops * 8);
      scriptFigure("hostcall", k, ops * 2);
    }
    if (redisPort != null) {
      int n = warmup ? Math.max(10_000, redisN / 10) : redisN;
      redis("redis-incr-c50", n, 1);
      redis("redis-incr-c50-P16", n, 16);
    }
  }

  private void record(String figure, double value) {
    if (!recording) return;
    results.computeIfAbsent(figure, f -> new ArrayList<>()).add(value);
    if (raw) progress("  %s = %.0f", figure, value);
  }

  /* ---------------- Java threads ---------------- */

  /** The body each thread runs: its own loop, so each implementation gets its own compiled loop. */
  private abstract static class Counter {
    volatile boolean stop;

    /** Increments keys[(tid * 97 + i) & mask] until stop; returns the operations done. */
    abstract long loop(int tid, int mask);

    /** The sum of all values now (to check that no increment was lost). */
    abstract long total();
  }

  private static final class SessionCounter extends Counter {
    final SessionStore store = new InMemorySessionStore();
    final EntryKey[] keys;

    SessionCounter(int n) {
      keys = new EntryKey[n];
      for (int i = 0; i < n; i++) keys[i] = n == 1 ? EntryKey.of("hot") : EntryKey.of("k" + i);
    }

    @Override
    long loop(int tid, int mask) {
      long ops = 0;
      int j = tid * 97;
      EntryKey[] ks = keys;
      SessionStore s = store;
      while (!stop) {
        for (int i = 0; i < 256; i++) s.increment(ks[(j++) & mask], 0L);
        ops += 256;
      }
      return ops;
    }

    @Override
    long total() {
      long sum = 0;
      for (EntryKey k : keys) sum += store.get(k).map(e -> Long.parseLong(e.data())).orElse(0L);
      return sum;
    }
  }

  private static final class MergeCounter extends Counter {
    final ConcurrentHashMap<String, Long> map = new ConcurrentHashMap<>();
    final String[] keys;

    MergeCounter(int n) {
      keys = names(n);
    }

    @Override
    long loop(int tid, int mask) {
      long ops = 0;
      int j = tid * 97;
      String[] ks = keys;
      ConcurrentHashMap<String, Long> m = map;
      while (!stop) {
        for (int i = 0; i < 256; i++) m.merge(ks[(j++) & mask], 1L, Long::sum);
        ops += 256;
      }
      return ops;
    }

    @Override
    long total() {
      return map.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static final class AdderCounter extends Counter {
    final ConcurrentHashMap<String, LongAdder> map = new ConcurrentHashMap<>();
    final String[] keys;

    AdderCounter(int n) {
      keys = names(n);
      for (String k : keys) map.put(k, new LongAdder());
    }

    @Override
    long loop(int tid, int mask) {
      long ops = 0;
      int j = tid * 97;
      String[] ks = keys;
      ConcurrentHashMap<String, LongAdder> m = map;
      while (!stop) {
        for (int i = 0; i < 256; i++) m.get(ks[(j++) & mask]).increment();
        ops += 256;
      }
      return ops;
    }

    @Override
    long total() {
      return map.values().stream().mapToLong(LongAdder::sum).sum();
    }
  }

  private static String[] names(int n) {
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) keys[i] = n == 1 ? "hot" : "k" + i;
    return keys;
  }

  private void javaFigure(String impl, int nThreads, int nKeys, long windowMs) throws InterruptedException {
    Counter c = switch (impl) {
      case "session" -> new SessionCounter(nKeys);
      case "chm-merge" -> new MergeCounter(nKeys);
      case "chm-adder" -> new AdderCounter(nKeys);
      default -> throw new IllegalArgumentException(impl);
    };
    CountDownLatch ready = new CountDownLatch(nThreads);
    CountDownLatch go = new CountDownLatch(1);
    long[] ops = new long[nThreads];
    Thread[] ts = new Thread[nThreads];
    for (int t = 0; t < nThreads; t++) {
      int tid = t;
      ts[t] = Thread.ofPlatform().name("bench-" + t).start(() -> {
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        ops[tid] = c.loop(tid, nKeys - 1);
      });
    }
    ready.await();
    long t0 = System.nanoTime();
    go.countDown();
    Thread.sleep(windowMs);
    c.stop = true;
    long t1 = System.nanoTime();
    for (Thread t : ts) t.join();
    long total = Arrays.stream(ops).sum();
    if (c.total() != total) {
      throw new IllegalStateException(impl + ": " + total + " increments but the values sum to " + c.total());
    }
    record(String.format(Locale.ROOT, "java %s keys=%d threads=%d", impl, nKeys, nThreads), total / ((t1 - t0) / 1e9));
  }

  /* ---------------- scripts ---------------- */

  private static String startAt(int scripts) {
    Instant now = Instant.now();
    double s = now.getEpochSecond() + now.getNano() / 1e9 + leadSeconds(scripts);
    return String.format(Locale.ROOT, "%.6f", s);
  }

  /** k parallel runs, each doing ops/k increments from a common start; records all ops / (last end - first start). */
  private void scriptFigure(String mode, int k, int ops) {
    scriptStore.reset();
    int n = ops / k;
    String at = startAt(k);
    List<ScriptRun> runs = new ArrayList<>();
    for (int i = 0; i < k; i++) runs.add(spindle.run("session-worker.lua", WORKER, String.valueOf(n), mode, String.valueOf(i), at));
    List<String> reports = new ArrayList<>();
    for (ScriptRun r : runs) {
      ScriptResult res = r.join();
      reports.add((String) res.values().get(0));
    }
    double rate = rate(reports);
    if (mode.equals("hot") || mode.equals("many")) check(mode, (long) n * k);
    String fig = String.format(Locale.ROOT, "script %s scripts=%d", mode, k);
    record(fig, rate);
  }

  /** One main script that starts 2 background scripts, each doing ops/2 increments on the hot key. */
  private void backgroundFigure(int ops) {
    scriptStore.reset();
    int n = ops / 2;
    ScriptResult res = spindle.run("session-bg-main.lua", BACKGROUND_MAIN,
        workerFile.toAbsolutePath().toString(), String.valueOf(n), "hot", startAt(3)).join();
    List<String> reports = new ArrayList<>();
    for (Object v : res.values()) reports.add((String) v);
    double rate = rate(reports);
    check("hot", 2L * n);
    record("script hot background=2", rate);
  }

  /** Parses "n t0 t1" reports (times relative to the common start) into all ops / (max t1 - min t0). */
  private double rate(List<String> reports) {
    long ops = 0;
    double first = Double.MAX_VALUE, last = -Double.MAX_VALUE, late = 0;
    for (String r : reports) {
      String[] f = r.trim().split(" ");
      ops += Long.parseLong(f[0]);
      double t0 = Double.parseDouble(f[1]), t1 = Double.parseDouble(f[2]);
      first = Math.min(first, t0);
      last = Math.max(last, t1);
      late = Math.max(late, t0);
    }
    if (late > 0.02 && recording) progress("  note: a script started %.0f ms after the common start", late * 1e3);
    return ops / (last - first);
  }

  private void check(String mode, long expected) {
    long sum = 0;
    if (mode.equals("hot")) {
      sum = Long.parseLong(scriptStore.get(EntryKey.of("hot")).orElseThrow().data());
    } else {
      for (int i = 0; i < KEYS; i++) {
        sum += scriptStore.get(EntryKey.of("k" + i)).map(e -> Long.parseLong(e.data())).orElse(0L);
      }
    }
    if (sum != expected) throw new IllegalStateException("scripts " + mode + ": " + expected + " increments, values sum to " + sum);
  }

  /* ---------------- Redis ---------------- */

  private static final Pattern INCR = Pattern.compile("INCR: ([0-9.]+) requests per second");

  private void redis(String figure, int n, int pipeline) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(redisBenchmark, "-h", "127.0.0.1", "-p", String.valueOf(redisPort),
        "-t", "incr", "-n", String.valueOf(n), "-c", "50", "-q"));
    if (pipeline > 1) cmd.addAll(List.of("-P", String.valueOf(pipeline)));
    if (recording) info.putIfAbsent("redis command " + (pipeline > 1 ? "pipelined" : "unpipelined"), String.join(" ", cmd));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("redis-benchmark did not end");
    }
    Matcher m = INCR.matcher(out);
    String rps = null;
    while (m.find()) rps = m.group(1);
    if (rps == null) throw new IllegalStateException("redis-benchmark said: " + out.strip());
    record(figure, Double.parseDouble(rps));
  }

  /* ---------------- report ---------------- */

  private double median(String figure) {
    List<Double> v = results.get(figure);
    if (v == null || v.isEmpty()) return Double.NaN;
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = a.length;
    return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
  }

  /** "12.3 M" style ops/s with the spread (min-max over rounds) when asked. */
  private static String fmt(double v) {
    if (Double.isNaN(v)) return "-";
    if (v >= 1e6) return String.format(Locale.ROOT, "%.2f M", v / 1e6);
    return String.format(Locale.ROOT, "%.0f k", v / 1e3);
  }

  private static String ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) return "-";
    return String.format(Locale.ROOT, "%.2fx", a / b);
  }

  private String spread(String figure) {
    List<Double> v = results.get(figure);
    if (v == null || v.isEmpty()) return "-";
    double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return fmt(min) + " - " + fmt(max);
  }

  private void report(int reps) {
    PrintStream o = System.out;
    o.printf(Locale.ROOT, "Atomic increments per second, median of %d rounds (each round measures every figure once; "
        + "one warm-up round first). Java window %d ms; script figures %d increments each, split among the scripts.%n%n",
        reps, windowMs, scriptOps);
    o.println("## Goals");
    o.println();
    o.println("| goal | Spindle | peer (same run) | ratio of medians | per-round ratio: median (min - max) | target | met |");
    o.println("|---|---:|---:|---:|---:|---:|---|");
    goal(o, "Java, 2 threads, one key vs `ConcurrentHashMap.merge`", "java session keys=1 threads=2",
        "java chm-merge keys=1 threads=2", 0.5);
    goal(o, "2 isolated scripts (2 runs), one key vs Redis INCR unpipelined", "script hot scripts=2", "redis-incr-c50", 10);
    goal(o, "2 background scripts (`script.run_background`), one key vs Redis INCR unpipelined",
        "script hot background=2", "redis-incr-c50", 10);
    o.println();
    double ru = median("redis-incr-c50");
    double bg = median("script hot background=2");

    o.println("## Java threads (ops/s, all threads together)");
    o.println();
    o.println("| threads | session, 1 key | CHM merge, 1 key | session / merge | CHM LongAdder, 1 key "
        + "| session, 1024 keys | CHM merge, 1024 keys | session / merge | CHM LongAdder, 1024 keys |");
    o.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int t : threads) {
      double[] v = new double[6];
      int i = 0;
      for (int keys : new int[] {1, KEYS}) {
        for (String impl : List.of("session", "chm-merge", "chm-adder")) {
          v[i++] = median(String.format(Locale.ROOT, "java %s keys=%d threads=%d", impl, keys, t));
        }
      }
      o.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", t, fmt(v[0]), fmt(v[1]),
          ratio(v[0], v[1]), fmt(v[2]), fmt(v[3]), fmt(v[4]), ratio(v[3], v[4]), fmt(v[5]));
    }
    o.println();

    o.println("## Scripts (`session.increment` in a Lua loop; ops/s, all scripts together)");
    o.println();
    o.println("| scripts | one key | per script | vs 1 script | 1024 keys | per script | vs 1 script "
        + "| one key vs Redis unpipelined |");
    o.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
    double hot1 = median("script hot scripts=1"), many1 = median("script many scripts=1");
    for (int k : threads) {
      double h = median("script hot scripts=" + k), m = median("script many scripts=" + k);
      o.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s |%n", k, fmt(h), fmt(h / k), ratio(h, hot1),
          fmt(m), fmt(m / k), ratio(m, many1), ratio(h, ru));
    }
    o.printf(Locale.ROOT, "| 2 background | %s | %s | %s | | | | %s |%n", fmt(bg), fmt(bg / 2), ratio(bg, hot1),
        ratio(bg, ru));
    o.println();

    o.println("## Cost of one call from Lua, and how each kind of call scales from 1 to 2 scripts");
    o.println();
    o.println("| loop body | 1 script: calls/s | ns per call | 2 scripts: calls/s, together | 2 scripts / 1 script |");
    o.println("|---|---:|---:|---:|---:|");
    for (String[] row : new String[][] {
        {"luacall", "`f(\"hot\")`, a Lua function"},
        {"hostcall", "`nmap.clock()`, a host (Java) function"},
        {"hot", "`session.increment(\"hot\")`"}}) {
      double v1 = median("script " + row[0] + " scripts=1"), v2 = median("script " + row[0] + " scripts=2");
      o.printf(Locale.ROOT, "| %s | %s | %.0f | %s | %s |%n", row[1], fmt(v1), 1e9 / v1, fmt(v2), ratio(v2, v1));
    }
    o.println();

    if (redisPort != null) {
      o.println("## Redis on loopback (`redis-benchmark`, 50 clients)");
      o.println();
      o.println("| figure | requests/s |");
      o.println("|---|---:|");
      o.printf(Locale.ROOT, "| INCR unpipelined | %s |%n", fmt(ru));
      o.printf(Locale.ROOT, "| INCR pipelined, -P 16 | %s |%n", fmt(median("redis-incr-c50-P16")));
      o.println();
    }

    o.println("## Spread (min - max over rounds)");
    o.println();
    o.println("| figure | median | min - max |");
    o.println("|---|---:|---:|");
    for (String f : results.keySet()) o.printf(Locale.ROOT, "| %s | %s | %s |%n", f, fmt(median(f)), spread(f));
    o.println();
    for (Map.Entry<String, String> e : info.entrySet()) o.printf("- %s: `%s`%n", e.getKey(), e.getValue());
  }

  /** A goal row: medians, and the ratio taken within each round (both figures ran minutes apart at most). */
  private void goal(PrintStream o, String what, String mineFig, String peerFig, double target) {
    double mine = median(mineFig), peer = median(peerFig);
    List<Double> a = results.getOrDefault(mineFig, List.of()), b = results.getOrDefault(peerFig, List.of());
    double[] r = new double[Math.min(a.size(), b.size())];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i) / b.get(i);
    Arrays.sort(r);
    String paired = r.length == 0 ? "-" : String.format(Locale.ROOT, "%.2fx (%.2fx - %.2fx)",
        r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2, r[0], r[r.length - 1]);
    double ratio = mine / peer;
    String met = Double.isNaN(ratio) ? "-" : ratio >= target ? "yes"
        : String.format(Locale.ROOT, "no (%.0f%% of target)", 100 * ratio / target);
    o.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %sx | %s |%n", what, fmt(mine), fmt(peer), ratio(mine, peer), paired,
        target == Math.rint(target) ? String.valueOf((long) target) : String.valueOf(target), met);
  }
}
