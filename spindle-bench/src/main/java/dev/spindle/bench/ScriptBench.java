package dev.spindle.bench;

import dev.spindle.Spindle;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whole-program benchmarks of Spindle's script scheduler, run side by side with their peers.
 *
 * <p>Every figure is measured by a Lua script (under {@code src/main/lua}, on the class path as
 * {@code bench/}) that prints {@code @result <metric> <value>} lines. The Spindle side runs here, one fresh
 * run (reactor + Lua state) per measurement; the peers run as child processes of the same program, interleaved
 * with the Spindle runs round by round, so both sides see the same machine at the same time:
 * <ul>
 *   <li>plain {@code lua5.4}: the bare coroutine round trip, a minimal closure lock, and the same condvar
 *       hand-off on the smallest Lua scheduler that can run it ({@code handoff_minsched.lua}, the floor of a
 *       scheduler written in Lua);
 *   <li>cqueues on that Lua: condition-variable hand-off, 100k waiting coroutines;
 *   <li>"mock": Spindle's own scheduler sources run under plain {@code lua5.4} with a stub host
 *       ({@code sched_mock.lua}): what the Lua code costs without the JVM around it.
 * </ul>
 * The only figures Java measures itself are the Java heap (and RSS) at the {@code @sync} points of
 * {@code spawn_spindle.lua}, for the memory per waiting thread.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar spindle-bench/target/spindle-bench.jar [options]
 *   --reps N         measured rounds (default 7); one warm-up round at small sizes comes first
 *   --lua EXE        the peer interpreter (default: lua5.4 on the PATH; "none" runs the Spindle side only)
 *   --only LIST      comma-separated: handoff, spawn, mutex (default: all)
 *   --threads N      threads for the spawn figure (default 100000)
 *   --scale X        multiplies the loop counts of the timing figures (default 1)
 *   --clock wall|cpu what the scripts time with (default wall: nmap.clock / cqueues.monotime; cpu: os.clock,
 *                    the process's CPU time, steadier when other work shares the machine)
 *   --raw            also print every single measurement
 * </pre>
 *
 * Prints a markdown report on standard output; progress goes to standard error.
 */
public final class ScriptBench extends Bench {
  private final String lua; // null: no peers
  private final String clock; // "wall" or "cpu", passed to every script
  private boolean mockBroken;

  private static final String CQUEUES_HINT = "install lua5.4 and lua-cqueues, or pass --lua none";

  private ScriptBench(Path scripts, String lua, boolean raw, String clock) {
    super(scripts, raw);
    this.lua = lua;
    this.clock = clock;
  }

  public static void main(String[] args) throws Exception {
    int reps = 7;
    int threads = 100_000;
    double scale = 1;
    String lua = "lua5.4";
    boolean raw = false;
    String clock = "wall";
    Set<String> only = new LinkedHashSet<>(List.of("handoff", "spawn", "mutex"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--lua" -> lua = args[++i];
        case "--only" -> only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--raw" -> raw = true;
        case "--clock" -> {
          clock = args[++i];
          if (!clock.equals("wall") && !clock.equals("cpu")) throw new IllegalArgumentException("--clock wall|cpu");
        }
        case "-h", "--help" -> {
          System.out.println("usage: ScriptBench [--reps N] [--lua EXE|none] [--only handoff,spawn,mutex] "
              + "[--threads N] [--scale X] [--clock wall|cpu] [--raw]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (lua.equals("none")) lua = null;
    Path dir = extractScripts();
    ScriptBench b = new ScriptBench(dir, lua, raw, clock);
    b.describeMachine();
    Sizes measured = Sizes.of(scale, threads);

    // warm-up round: class loading, JIT of the turn loop, native library loading; not recorded
    b.recording = false;
    b.round(only, Sizes.of(scale * 0.1, Math.max(1000, threads / 10)));
    b.recording = true;
    for (int r = 1; r <= reps; r++) {
      progress("round %d of %d", r, reps);
      b.round(only, measured);
    }
    b.report(only, reps, measured);
  }

  /** Loop counts of one round. */
  record Sizes(int handoff, int cqHandoff, int coro, int mutex, int threads) {
    static Sizes of(double scale, int threads) {
      return new Sizes(n(400_000, scale), n(150_000, scale), n(3_000_000, scale), n(2_000_000, scale), threads);
    }

    private static int n(int base, double scale) {
      return Math.max(1000, (int) (base * scale));
    }
  }

  /* ---------------- one round: each Spindle measurement next to its peers ---------------- */

  private void round(Set<String> only, Sizes n) throws Exception {
    if (only.contains("handoff")) {
      spindle("spindle", "handoff_spindle.lua", n.handoff());
      spindle("spindle", "coro_roundtrip.lua", n.coro());
      peer("lua5.4", "coro_roundtrip.lua", n.coro());
      peer("cqueues", "handoff_cqueues.lua", n.cqHandoff());
      peer("minsched", "handoff_minsched.lua", n.handoff());
      mock("handoff_spindle.lua", n.handoff());
    }
    if (only.contains("spawn")) {
      spawn(n.threads());
      peer("cqueues", "spawn_cqueues.lua", n.threads());
      mock("spawn_spindle.lua", n.threads());
    }
    if (only.contains("mutex")) {
      spindle("spindle", "mutex_spindle.lua", n.mutex());
      spindle("spindle", "lock_minimal.lua", n.mutex());
      peer("lua5.4", "lock_minimal.lua", n.mutex());
      mock("mutex_spindle.lua", n.mutex());
    }
  }

  /** Runs a bench script in a fresh Spindle run with its [N [clock]] arguments; records its @result lines. */
  private Map<String, Double> spindle(String impl, String script, int n) throws Exception {
    return spindle(impl, script, tag -> {}, Integer.toString(n), clock);
  }

  /** The spawn figure on Spindle: the script's own numbers plus the Java heap and RSS at its two @sync points. */
  private void spawn(int threads) throws Exception {
    Map<String, long[]> at = new HashMap<>(); // tag -> {java heap used after GC, RSS}
    Map<String, Double> res = spindle("spindle", "spawn_spindle.lua",
        tag -> at.put(tag, new long[] {heapAfterGc(), rss()}), Integer.toString(threads), clock);
    long[] base = at.get("base"), waiting = at.get("waiting");
    if (base == null || waiting == null) throw new IllegalStateException("spawn_spindle.lua: missing @sync");
    double javaPer = (double) (waiting[0] - base[0]) / threads;
    double rssPer = (double) (waiting[1] - base[1]) / threads;
    Map<String, Double> extra = new LinkedHashMap<>();
    extra.put("java_bytes_per_thread", javaPer);
    extra.put("rss_bytes_per_thread", rssPer);
    extra.put("total_bytes_per_thread", javaPer + res.get("lua_bytes_per_thread"));
    record("spindle", "spawn_spindle.lua (java)", extra);
  }

  /** Runs a bench script with the peer interpreter; records its @result lines under {@code impl}. */
  private void peer(String impl, String script, int n) throws Exception {
    if (lua == null) return;
    run(impl, script, scripts.resolve(script).toString(), Integer.toString(n), clock);
  }

  /**
   * Runs a Spindle bench script on the runtime's own scheduler sources under the peer interpreter, with a stub
   * host instead of the JVM (sched_mock.lua); recorded under "mock". Diagnostic only: if the runtime's internal
   * interfaces have moved on and the stub no longer fits, this says so and the run goes on without it.
   */
  private void mock(String script, int n) throws Exception {
    if (lua == null || mockBroken) return;
    try {
      run("mock", script, scripts.resolve("sched_mock.lua").toString(), scripts.resolve("runtime").toString(),
          scripts.resolve(script).toString(), Integer.toString(n), clock);
    } catch (IllegalStateException e) {
      mockBroken = true;
      progress("note: the stub-host runs (sched_mock.lua) are left out: %s", e.getMessage());
    }
  }

  /** Runs the peer interpreter with {@code args}; records the @result lines under {@code impl}. */
  private void run(String impl, String script, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(lua);
    cmd.addAll(List.of(args));
    process(impl, script, cmd);
  }

  /* ---------------- the report ---------------- */

  private void report(Set<String> only, int reps, Sizes n) {
    StringBuilder o = new StringBuilder();
    o.append("## Spindle script benchmarks\n\n");
    for (Map.Entry<String, String> e : info.entrySet()) o.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    o.append("- clock: ").append(clock.equals("cpu")
        ? "cpu (os.clock: process CPU time; in the JVM it also counts the JVM's own threads)"
        : "wall (Spindle: nmap.clock; lua5.4 and cqueues: cqueues.monotime)").append('\n');
    o.append(String.format(Locale.ROOT, "- %d measured rounds after one warm-up round; each round runs every Spindle "
        + "measurement and then its peers; median, then min – max (±half the range, as %% of the median)%n%n", reps));
    String head = "| measurement | median | min – max | unit |\n| --- | ---: | --- | --- |\n";
    StringBuilder goals = new StringBuilder("| goal | Spindle | peer (same run) | target | met |\n| --- | --- | --- | --- | --- |\n");

    if (only.contains("handoff")) {
      o.append(String.format(Locale.ROOT, "### 1. Hand-off (%,d condvar hand-offs per Spindle run, %,d per cqueues run, "
          + "%,d coroutine round trips)%n%n", 2 * n.handoff(), 2 * n.cqHandoff(), n.coro()));
      o.append(head);
      o.append(row("Spindle: nmap.condvar hand-off, two stdnse workers", "spindle handoff_workers_ns", "ns/hand-off", "%.0f"));
      o.append(row("Spindle: nmap.condvar hand-off, main thread ↔ worker", "spindle handoff_main_ns", "ns/hand-off", "%.0f"));
      o.append(row("Spindle: coroutine resume/yield round trip (reference)", "spindle coro_rt_ns", "ns/round trip", "%.0f"));
      o.append(row("lua5.4: coroutine resume/yield round trip", "lua5.4 coro_rt_ns", "ns/round trip", "%.0f"));
      o.append(row("cqueues: condition hand-off, two coroutines", "cqueues handoff_ns", "ns/hand-off", "%.0f"));
      o.append(row("lua5.4: the same hand-off on a minimal Lua scheduler (floor of the design)", "minsched handoff_ns",
          "ns/hand-off", "%.0f"));
      o.append(row("lua5.4: Spindle's own sched/nmap Lua, stub host, no JVM: two workers", "mock handoff_workers_ns",
          "ns/hand-off", "%.0f"));
      o.append('\n');
      double h = median("spindle handoff_workers_ns"), rt = median("lua5.4 coro_rt_ns");
      double srt = median("spindle coro_rt_ns"), cq = median("cqueues handoff_ns");
      double hm = median("spindle handoff_main_ns"), floor = median("minsched handoff_ns");
      goals.append(goal("hand-off within 3x of the bare Lua round trip", h / rt,
          String.format(Locale.ROOT, "%.0f ns (workers), %.0f ns (main ↔ worker)", h, hm),
          "≤ 3.0x", h / rt <= 3.0,
          String.format(Locale.ROOT, "lua5.4 round trip %.0f ns: **%.1fx** (main ↔ worker %.1fx); Spindle's own round trip "
              + "%.0f ns: %.1fx; cqueues hand-off %.0f ns: %.2fx; minimal Lua scheduler %.0f ns (%.1fx the round trip): %.1fx",
              rt, h / rt, hm / rt, srt, h / srt, cq, h / cq, floor, floor / rt, h / floor)));
    }
    if (only.contains("spawn")) {
      o.append(String.format(Locale.ROOT, "### 2. %,d threads waiting on one condition variable, then one broadcast%n%n", n.threads()));
      o.append(head);
      o.append(row("Spindle: stdnse.new_thread calls", "spindle spawn_per_s", "threads/s", "%,.0f"));
      o.append(row("Spindle: spawn → all waiting", "spindle start_per_s", "threads/s", "%,.0f"));
      o.append(row("Spindle: broadcast → all ended", "spindle wake_per_s", "threads/s", "%,.0f"));
      o.append(row("Spindle: Lua heap per waiting thread", "spindle lua_bytes_per_thread", "bytes", "%,.0f"));
      o.append(row("Spindle: Java heap per waiting thread", "spindle java_bytes_per_thread", "bytes", "%,.2f"));
      o.append(row("Spindle: Lua + Java heap per waiting thread", "spindle total_bytes_per_thread", "bytes", "%,.0f"));
      o.append(row("Spindle: process RSS growth per waiting thread", "spindle rss_bytes_per_thread", "bytes", "%,.0f"));
      o.append(row("lua5.4: Spindle's own sched/stdnse Lua, stub host, no JVM: new_thread calls", "mock spawn_per_s",
          "threads/s", "%,.0f"));
      o.append(row("lua5.4: the same, Lua heap per waiting thread", "mock lua_bytes_per_thread", "bytes", "%,.0f"));
      o.append(row("cqueues: cq:wrap calls", "cqueues spawn_per_s", "coroutines/s", "%,.0f"));
      o.append(row("cqueues: wrap → all waiting", "cqueues start_per_s", "coroutines/s", "%,.0f"));
      o.append(row("cqueues: signal → all ended", "cqueues wake_per_s", "coroutines/s", "%,.0f"));
      o.append(row("cqueues: Lua heap per waiting coroutine", "cqueues lua_bytes_per_thread", "bytes", "%,.0f"));
      o.append(row("cqueues: process RSS growth per waiting coroutine", "cqueues rss_bytes_per_thread", "bytes", "%,.0f"));
      o.append('\n');
      double sp = median("spindle spawn_per_s"), st = median("spindle start_per_s");
      double cqsp = median("cqueues spawn_per_s"), cqst = median("cqueues start_per_s");
      goals.append(goal("spawn rate ≥ 500k threads/s", sp,
          String.format(Locale.ROOT, "%,.0f/s new_thread; %,.0f/s to all waiting", sp, st), "≥ 500,000/s", sp >= 500_000,
          String.format(Locale.ROOT, "cqueues %,.0f/s wrap (%.2fx); %,.0f/s to all waiting (%.2fx)", cqsp, sp / cqsp, cqst, st / cqst)));
      double tot = median("spindle total_bytes_per_thread"), cql = median("cqueues lua_bytes_per_thread");
      double srss = median("spindle rss_bytes_per_thread"), cqrss = median("cqueues rss_bytes_per_thread");
      goals.append(goal("memory per waiting thread ≤ cqueues'", tot,
          String.format(Locale.ROOT, "%,.0f B (Lua %,.0f + Java %,.2f); RSS %,.0f B", tot,
              median("spindle lua_bytes_per_thread"), median("spindle java_bytes_per_thread"), srss),
          "≤ 1.0x", tot <= cql,
          String.format(Locale.ROOT, "cqueues %,.0f B Lua heap: **%.2fx**; RSS %,.0f B: %.2fx", cql, tot / cql, cqrss, srss / cqrss)));
    }
    if (only.contains("mutex")) {
      o.append(String.format(Locale.ROOT, "### 3. Uncontended lock + unlock (%,d pairs per run)%n%n", n.mutex()));
      o.append(head);
      o.append(row("Spindle: nmap.mutex m\"lock\" + m\"done\", main thread", "spindle mutex_pair_ns", "ns/pair", "%.0f"));
      o.append(row("Spindle: nmap.mutex m\"lock\" + m\"done\", worker", "spindle mutex_pair_worker_ns", "ns/pair", "%.0f"));
      o.append(row("Spindle: nmap.mutex m\"trylock\" + m\"done\"", "spindle trylock_pair_ns", "ns/pair", "%.0f"));
      o.append(row("Spindle: minimal closure lock (reference)", "spindle minimal_pair_ns", "ns/pair", "%.0f"));
      o.append(row("Spindle: two calls of an empty function (floor)", "spindle noop_pair_ns", "ns/pair", "%.0f"));
      o.append(row("lua5.4: minimal closure lock", "lua5.4 minimal_pair_ns", "ns/pair", "%.0f"));
      o.append(row("lua5.4: two calls of an empty function (floor)", "lua5.4 noop_pair_ns", "ns/pair", "%.0f"));
      o.append(row("lua5.4: Spindle's own nmap.mutex Lua, stub host, no JVM", "mock mutex_pair_ns", "ns/pair", "%.0f"));
      o.append('\n');
      double m = median("spindle mutex_pair_ns"), ml = median("lua5.4 minimal_pair_ns");
      double ms = median("spindle minimal_pair_ns");
      goals.append(goal("uncontended lock + done < 150 ns", m, String.format(Locale.ROOT, "%.0f ns", m), "< 150 ns", m < 150,
          String.format(Locale.ROOT, "lua5.4 minimal lock %.0f ns: %.2fx; same lock in Spindle %.0f ns: %.2fx", ml, m / ml, ms, m / ms)));
    }
    o.append("### Goals\n\n").append(goals).append('\n');
    System.out.print(o);
    System.out.flush();
  }

  /* ---------------- environment ---------------- */

  private void describeMachine() {
    describeRuntime();
    if (lua != null) {
      info.put("peer Lua", command(CQUEUES_HINT, lua, "-v"));
      info.put("cqueues", command(CQUEUES_HINT, lua, "-e", "local c = require 'cqueues'; io.write(c.VERSION, ' (', c.VENDOR, ')')"));
    } else {
      info.put("peers", "none (--lua none)");
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rss() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | NumberFormatException ignored) {
      // not Linux: no RSS figure
    }
    return 0;
  }

  /** Copies the bench scripts from the class path to a temporary directory, for the peer interpreters. */
  private static Path extractScripts() throws IOException {
    Path dir = extractScripts(List.of("coro_roundtrip.lua", "lock_minimal.lua", "handoff_spindle.lua",
        "handoff_cqueues.lua", "handoff_minsched.lua", "sched_mock.lua",
        "mutex_spindle.lua", "spawn_spindle.lua", "spawn_cqueues.lua"));
    // the runtime's own scheduler sources, from spindle-lua on the class path, for sched_mock.lua
    Path rt = Files.createDirectory(dir.resolve("runtime"));
    rt.toFile().deleteOnExit();
    for (String name : List.of("sched", "coroutine", "nmap", "stdnse")) {
      try (InputStream in = Spindle.class.getClassLoader().getResourceAsStream("spindle/" + name + ".lua")) {
        if (in == null) throw new IllegalStateException("missing resource spindle/" + name + ".lua");
        Path f = rt.resolve(name + ".lua");
        Files.copy(in, f);
        f.toFile().deleteOnExit();
      }
    }
    return dir;
  }
}
