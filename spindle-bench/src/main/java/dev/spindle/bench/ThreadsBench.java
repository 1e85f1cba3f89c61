package dev.spindle.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * Threads, queues and pools: Spindle's isolated threads, cross-thread queue and script-thread hand-offs, side
 * by side with their peers in one run (docs/performance.md, "Threads, queues and pools").
 *
 * <ol>
 *   <li><b>queue</b>: the integers 1..N through a queue of 1024 from a producer to a consumer thread.
 *       Spindle: {@code queue_spindle.lua} ({@code queue.Queue(1024)}, producer and consumer in two
 *       ProcessPoolExecutor workers; and a worker producing for the main script). Peers: Python's
 *       {@code queue.Queue(1024)} between two {@code threading.Thread}s ({@code queue_threads.py}, run by
 *       python3), and Java's {@code ArrayBlockingQueue(1024)} between two platform threads, in this JVM (the
 *       limit). Items per second.
 *   <li><b>pool</b>: CPU-bound Lua, T tasks of a naive prime count ({@code pool_cpu.lua}): Spindle serially
 *       and with a ProcessPoolExecutor of 1 and of 2 workers (the speed-up); plain lua5.4 serially.
 *   <li><b>handoff</b>: hand-offs between two script threads of one state ({@code lock_handoff_spindle.lua}:
 *       threading.Lock, threading.Event, nmap.mutex), beside the coroutine resume/yield round trip
 *       ({@code coro_roundtrip.lua}) in Spindle and in lua5.4, and nmap.mutex's uncontended lock + done
 *       ({@code mutex_spindle.lua}).
 * </ol>
 *
 * <p>Each round runs every measurement once, Spindle's and its peers' one after the other, so that all see
 * the same machine at the same time; one warm-up round at small sizes comes first (not recorded). Each Spindle
 * measurement is a fresh run in this JVM; lua5.4 and python3 run as child processes. The report gives the
 * median over rounds and the load average at the start of each round.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp spindle-bench/target/spindle-bench.jar dev.spindle.bench.ThreadsBench
 *   --reps N        measured rounds (default 5)
 *   --only LIST     comma-separated: queue, pool, handoff (default: all)
 *   --items N       items through the queue per measurement (default 1000000)
 *   --tasks T       pool tasks (default 16)
 *   --limit M       each task counts the primes below M (default 120000)
 *   --handoffs N    hand-offs per thread in the hand-off figures (default 200000)
 *   --lua EXE       the Lua peer (default lua5.4)
 *   --python EXE    the Python peer (default python3)
 *   --raw           also print every single measurement
 * </pre>
 *
 * Prints a markdown report on standard output; progress goes to standard error.
 */
public final class ThreadsBench extends Bench {
  private final String lua;
  private final String python;
  private final List<String> loads = new ArrayList<>();

  private ThreadsBench(Path scripts, String lua, String python, boolean raw) {
    super(scripts, raw);
    this.lua = lua;
    this.python = python;
  }

  /** The sizes of one round. */
  record Sizes(int items, int tasks, int limit, int handoffs) {
    Sizes warmUp() {
      return new Sizes(Math.min(items, 50_000), Math.min(tasks, 4), Math.min(limit, 20_000), Math.min(handoffs, 20_000));
    }
  }

  public static void main(String[] args) throws Exception {
    int reps = 5;
    Sizes n = new Sizes(1_000_000, 16, 120_000, 200_000);
    String lua = "lua5.4";
    String python = "python3";
    boolean raw = false;
    Set<String> only = new LinkedHashSet<>(List.of("queue", "pool", "handoff"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--only" -> only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
        case "--items" -> n = new Sizes(Integer.parseInt(args[++i]), n.tasks(), n.limit(), n.handoffs());
        case "--tasks" -> n = new Sizes(n.items(), Integer.parseInt(args[++i]), n.limit(), n.handoffs());
        case "--limit" -> n = new Sizes(n.items(), n.tasks(), Integer.parseInt(args[++i]), n.handoffs());
        case "--handoffs" -> n = new Sizes(n.items(), n.tasks(), n.limit(), Integer.parseInt(args[++i]));
        case "--lua" -> lua = args[++i];
        case "--python" -> python = args[++i];
        case "--raw" -> raw = true;
        case "-h", "--help" -> {
          System.out.println("usage: ThreadsBench [--reps N] [--only queue,pool,handoff] [--items N] [--tasks T] "
              + "[--limit M] [--handoffs N] [--lua EXE] [--python EXE] [--raw]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = extractScripts(List.of("queue_spindle.lua", "queue_threads.py", "pool_cpu.lua",
        "lock_handoff_spindle.lua", "coro_roundtrip.lua", "mutex_spindle.lua"));
    ThreadsBench b = new ThreadsBench(dir, lua, python, raw);
    b.describeMachine();
    long start = System.nanoTime();
    b.recording = false;
    progress("warm-up round");
    b.round(only, n.warmUp(), 0);
    b.recording = true;
    for (int r = 1; r <= reps; r++) {
      progress("round %d of %d", r, reps);
      b.round(only, n, r);
    }
    b.info.put("bench time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - start) / 1e9));
    b.report(only, reps, n);
  }

  /* ---------------- one round ---------------- */

  private void round(Set<String> only, Sizes n, int r) throws Exception {
    if (recording) loads.add(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    String items = Integer.toString(n.items());
    if (only.contains("queue")) {
      spindle("spindle", "queue_spindle.lua", tag -> {}, items);
      process("python", "queue_threads.py", List.of(python, scripts.resolve("queue_threads.py").toString(), items));
      arrayBlockingQueue(n.items());
    }
    if (only.contains("pool")) {
      String tasks = Integer.toString(n.tasks()), limit = Integer.toString(n.limit());
      // which pool size runs first alternates from round to round
      spindle("spindle", "pool_cpu.lua", tag -> {}, tasks, limit, r % 2 == 0 ? "21" : "12");
      process("lua5.4", "pool_cpu.lua", List.of(lua, scripts.resolve("pool_cpu.lua").toString(), tasks, limit));
    }
    if (only.contains("handoff")) {
      String h = Integer.toString(n.handoffs());
      spindle("spindle", "lock_handoff_spindle.lua", tag -> {}, h);
      String rt = Integer.toString(10 * n.handoffs());
      spindle("spindle", "coro_roundtrip.lua", tag -> {}, rt, "wall");
      process("lua5.4", "coro_roundtrip.lua", List.of(lua, scripts.resolve("coro_roundtrip.lua").toString(), rt, "wall"));
      spindle("spindle", "mutex_spindle.lua", tag -> {}, rt, "wall");
    }
  }

  /**
   * The limit: the same items through an {@code ArrayBlockingQueue(1024)} from one platform thread to another
   * (boxed Integers, as a Java program would pass them), timed from releasing both to both having ended.
   */
  private void arrayBlockingQueue(int n) throws InterruptedException {
    ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1024);
    CountDownLatch go = new CountDownLatch(1);
    long[] sum = new long[1];
    Thread consumer = Thread.ofPlatform().name("abq-consumer").start(interruptibly(() -> {
      go.await();
      long s = 0;
      for (int i = 0; i < n; i++) s += q.take();
      sum[0] = s;
    }));
    Thread producer = Thread.ofPlatform().name("abq-producer").start(interruptibly(() -> {
      go.await();
      for (int i = 1; i <= n; i++) q.put(i);
    }));
    long t0 = System.nanoTime();
    go.countDown();
    producer.join();
    consumer.join();
    long t1 = System.nanoTime();
    if (sum[0] != (long) n * (n + 1) / 2) throw new IllegalStateException("ArrayBlockingQueue: wrong sum " + sum[0]);
    record("java", "ArrayBlockingQueue", Map.of("queue_per_s", n / ((t1 - t0) / 1e9)));
  }

  private interface Body {
    void run() throws InterruptedException;
  }

  private static Runnable interruptibly(Body body) {
    return () -> {
      try {
        body.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /* ---------------- the report ---------------- */

  private void report(Set<String> only, int reps, Sizes n) {
    StringBuilder o = new StringBuilder();
    o.append("## Threads, queues and pools\n\n");
    for (Map.Entry<String, String> e : info.entrySet()) o.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
    o.append(String.format(Locale.ROOT, "- %d measured rounds after one warm-up round; each round runs every Spindle "
        + "measurement and its peers; median, then min – max (±half the range, as %% of the median); wall clock%n", reps));
    o.append("- load average (1 min) at the start of each round: ").append(String.join(", ", loads)).append("\n\n");
    String head = "| measurement | median | min – max | unit |\n| --- | ---: | --- | --- |\n";
    StringBuilder goals = new StringBuilder("| goal | Spindle | peer (same run) | target | met |\n| --- | --- | --- | --- | --- |\n");

    if (only.contains("queue")) {
      o.append(String.format(Locale.ROOT, "### 1. Cross-thread queue: %,d integers through a queue of 1024, one producer "
          + "thread, one consumer thread%n%n", n.items()));
      o.append(head);
      o.append(rows("items/s", "%,.0f",
          "Spindle: queue.Queue(1024), two ProcessPoolExecutor workers", "spindle queue_workers_per_s",
          "Spindle: queue.Queue(1024), a worker produces, the main script consumes", "spindle queue_main_per_s",
          "Spindle: queue.Queue(1024), two workers, put_many / get_many in batches of 256", "spindle queue_batch_per_s",
          "python3: queue.Queue(1024), two threading.Threads", "python queue_per_s",
          "Java: ArrayBlockingQueue(1024), two platform threads (the limit)", "java queue_per_s"));
      o.append('\n');
      double w = median("spindle queue_workers_per_s"), m = median("spindle queue_main_per_s");
      double py = median("python queue_per_s"), abq = median("java queue_per_s");
      double b = median("spindle queue_batch_per_s");
      String both = String.format(Locale.ROOT, "%,.0f items/s (two workers), %,.0f (main ↔ worker); batches %,.0f", w, m, b);
      goals.append(goal("queue ≥ 5x Python's (put/get)", w, both, "≥ 5.0x", w / py >= 5,
          String.format(Locale.ROOT, "python3 %,.0f items/s: **%.2fx** (main ↔ worker %.2fx; batches %.2fx)",
              py, w / py, m / py, b / py)));
      goals.append(goal("queue ≥ 0.3x ArrayBlockingQueue (put/get)", w, both, "≥ 0.30x", w / abq >= 0.3,
          String.format(Locale.ROOT, "ArrayBlockingQueue %,.0f items/s: **%.3fx** (main ↔ worker %.3fx; batches %.3fx)",
              abq, w / abq, m / abq, b / abq)));
    }
    if (only.contains("pool")) {
      o.append(String.format(Locale.ROOT, "### 2. ProcessPoolExecutor: %d tasks, each counting the primes below %,d%n%n",
          n.tasks(), n.limit()));
      o.append(head);
      o.append(rows("ms", "%,.0f",
          "Spindle: the tasks one after the other in the main script", "spindle serial_ms",
          "Spindle: ProcessPoolExecutor, 1 worker", "spindle pool1_ms",
          "Spindle: ProcessPoolExecutor, 2 workers", "spindle pool2_ms",
          "lua5.4: the tasks one after the other", "lua5.4 serial_ms"));
      o.append(row("Spindle: speed-up, 1 worker / 2 workers (per round)", "spindle speedup", "x", "%.2f"));
      o.append('\n');
      double sp = median("spindle speedup"), two = median("spindle pool2_ms"), ser = median("lua5.4 serial_ms");
      goals.append(goal("pool speed-up, 2 workers vs 1, ≥ 1.8x", sp, String.format(Locale.ROOT, "%.2fx", sp), "≥ 1.8x",
          sp >= 1.8, String.format(Locale.ROOT, "lua5.4 serial %,.0f ms: 2 workers are %.2fx as fast; Spindle serial %,.0f ms",
              ser, ser / two, median("spindle serial_ms"))));
    }
    if (only.contains("handoff")) {
      o.append(String.format(Locale.ROOT, "### 3. Hand-off between two script threads of one state (%,d per thread); "
          + "coroutine round trips and uncontended lock pairs: %,d%n%n", n.handoffs(), 10 * n.handoffs()));
      o.append(head);
      o.append(rows("ns/hand-off", "%.0f",
          "Spindle: threading.Lock hand-off (acquire/release loop in two threading.Threads)", "spindle lock_handoff_ns",
          "Spindle: threading.Event hand-off (two events, alternating)", "spindle event_handoff_ns",
          "Spindle: nmap.mutex hand-off (the same loop in two stdnse workers)", "spindle mutex_handoff_ns"));
      o.append(row("Spindle: nmap.mutex m\"lock\" + m\"done\", uncontended (mutex_spindle.lua)", "spindle mutex_pair_ns",
          "ns/pair", "%.0f"));
      o.append(rows("ns/round trip", "%.0f",
          "Spindle: coroutine resume/yield round trip", "spindle coro_rt_ns",
          "lua5.4: coroutine resume/yield round trip", "lua5.4 coro_rt_ns"));
      o.append('\n');
      double lk = median("spindle lock_handoff_ns"), ev = median("spindle event_handoff_ns");
      double mx = median("spindle mutex_handoff_ns"), rt = median("lua5.4 coro_rt_ns");
      o.append(String.format(Locale.ROOT, "Ratios: threading.Lock hand-off / lua5.4 round trip = **%.0fx** (Event %.0fx); "
          + "/ nmap.mutex hand-off = %.1fx (Event %.1fx).%n%n", lk / rt, ev / rt, lk / mx, ev / mx));
    }
    o.append("### Goals\n\n").append(goals).append('\n');
    System.out.print(o);
    System.out.flush();
  }

  /* ---------------- environment ---------------- */

  private void describeMachine() {
    describeRuntime();
    info.put("peer Lua", command("install lua5.4", lua, "-v"));
    info.put("peer Python", command("install python3", python, "--version"));
  }
}
