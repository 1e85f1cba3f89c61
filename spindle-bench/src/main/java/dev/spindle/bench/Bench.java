package dev.spindle.bench;

import dev.spindle.ScriptResult;
import dev.spindle.Spindle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the script benchmarks share ({@link ScriptBench}, {@link ThreadsBench}): running a bench script in a
 * fresh Spindle run or as a peer's child process, collecting its {@code @result <metric> <value>} lines
 * round by round, and the rows of the markdown report (median, min – max, spread).
 *
 * <p>A measurement is recorded under {@code "<impl> <metric>"}, one value per round; nothing is recorded
 * while {@link #recording} is false (the warm-up round).
 */
abstract class Bench {
  protected final Map<String, List<Double>> results = new LinkedHashMap<>(); // "impl metric" -> one per round
  protected final Map<String, String> info = new LinkedHashMap<>();
  protected final Path scripts; // the bench scripts, extracted for the peers
  protected final boolean raw;
  protected boolean recording = true;

  Bench(Path scripts, boolean raw) {
    this.scripts = scripts;
    this.raw = raw;
  }

  /** Runs a bench script in a fresh Spindle run (reactor + Lua state); records its @result lines under {@code impl}. */
  protected Map<String, Double> spindle(String impl, String script, Consumer<String> sync, String... args) throws Exception {
    Lines lines = new Lines(sync);
    String src = Files.readString(scripts.resolve(script));
    try (Spindle s = Spindle.builder().stdout(new PrintStream(lines, true, StandardCharsets.UTF_8)).build()) {
      ScriptResult r = s.run(script, src, args).result().get(5, TimeUnit.MINUTES);
      if (r.exitStatus() != 0) throw new IllegalStateException(script + " exited with " + r.exitStatus());
    }
    lines.flushLine();
    record(impl, script, lines.results);
    return lines.results;
  }

  /** Runs {@code cmd} as a child process (bounded: 5 minutes); records its @result lines under {@code impl}. */
  protected Map<String, Double> process(String impl, String script, List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Lines lines = new Lines(tag -> {});
    try (InputStream in = p.getInputStream()) {
      in.transferTo(lines);
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(cmd.get(0) + " " + script + ": timed out");
    }
    lines.flushLine();
    if (p.exitValue() != 0) throw new IllegalStateException(cmd.get(0) + " " + script + " exited with " + p.exitValue());
    record(impl, script, lines.results);
    return lines.results;
  }

  protected void record(String impl, String script, Map<String, Double> res) {
    if (res.isEmpty()) throw new IllegalStateException(impl + " " + script + ": no @result lines");
    for (Map.Entry<String, Double> e : res.entrySet()) {
      if (raw) progress("  %-8s %-26s %-24s %14.3f%s", impl, script, e.getKey(), e.getValue(), recording ? "" : " (warm-up)");
      if (recording) results.computeIfAbsent(impl + " " + e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
  }

  /** Splits output into lines: "@result k v" is recorded, "@sync tag" calls back, "@info" is kept, the rest echoed. */
  private static final class Lines extends OutputStream {
    final Map<String, Double> results = new LinkedHashMap<>();
    private final Consumer<String> sync;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Lines(Consumer<String> sync) {
      this.sync = sync;
    }

    @Override
    public void write(int b) {
      if (b == '\n') flushLine();
      else line.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) write(b[i]);
    }

    void flushLine() {
      if (line.size() == 0) return;
      String s = line.toString(StandardCharsets.UTF_8);
      line.reset();
      String[] f = s.trim().split("\\s+");
      if (f[0].equals("@result") && f.length == 3) {
        results.put(f[1], Double.parseDouble(f[2]));
      } else if (f[0].equals("@sync") && f.length == 2) {
        sync.accept(f[1]);
      } else if (f[0].equals("@info")) {
        // e.g. which clock a portable script picked; not needed in the report
      } else {
        System.err.println("| " + s);
      }
    }
  }

  /* ---------------- the report ---------------- */

  protected List<Double> get(String key) {
    List<Double> v = results.get(key);
    return v == null ? List.of() : v;
  }

  protected double median(String key) {
    List<Double> v = new ArrayList<>(get(key));
    if (v.isEmpty()) return Double.NaN;
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  /** A table row: median in bold, min – max, the spread as ± half the range in % of the median. */
  protected String row(String what, String key, String unit, String fmt) {
    List<Double> v = get(key);
    if (v.isEmpty()) return "| " + what + " | n/a | | " + unit + " |\n";
    double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    double med = median(key);
    // the spread as ± half the range, in % of the median (left out for figures near zero)
    String spread = Math.abs(med) < 1 ? "" : String.format(Locale.ROOT, " (±%.0f%%)", (max - min) / Math.abs(med) * 50);
    return String.format(Locale.ROOT, "| %s | **" + fmt + "** | " + fmt + " – " + fmt + "%s | %s |%n",
        what, med, min, max, spread, unit);
  }

  /** Rows of one unit and number format: {@code whatAndKey} is pairs of (what the row says, its result key). */
  protected String rows(String unit, String fmt, String... whatAndKey) {
    StringBuilder o = new StringBuilder();
    for (int i = 0; i + 1 < whatAndKey.length; i += 2) o.append(row(whatAndKey[i], whatAndKey[i + 1], unit, fmt));
    return o.toString();
  }

  /** A row of the goals table; "n/a" when the measurement is missing. */
  protected String goal(String what, double measured, String measuredText, String goalText, boolean met, String peer) {
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", what, measuredText, peer, goalText,
        Double.isNaN(measured) ? "n/a" : met ? "**yes**" : "**no**");
  }

  /* ---------------- environment ---------------- */

  /** The cores, the JVM and Spindle's Lua, for the report's header. */
  protected void describeRuntime() {
    info.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    info.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + " (max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, "
        + ManagementFactory.getGarbageCollectorMXBeans().get(0).getName() + ")");
    info.put("Spindle's Lua", "Lua 5.4 through luajava (party.iroiro.luajava lua54)");
  }

  /** The first line of what {@code cmd} prints; {@code hint} says what to install when it cannot run. */
  protected static String command(String hint, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return s.isEmpty() ? "?" : s.lines().findFirst().orElse("?");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd[0] + " (" + hint + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /** Copies the named bench scripts from the class path ({@code bench/}) to a new temporary directory. */
  protected static Path extractScripts(List<String> names) throws IOException {
    Path dir = Files.createTempDirectory("spindle-bench");
    dir.toFile().deleteOnExit();
    for (String name : names) {
      try (InputStream in = Bench.class.getResourceAsStream("/bench/" + name)) {
        if (in == null) throw new IllegalStateException("missing resource bench/" + name);
        Path f = dir.resolve(name);
        Files.copy(in, f);
        f.toFile().deleteOnExit();
      }
    }
    return dir;
  }

  protected static void progress(String fmt, Object... args) {
    System.err.println(String.format(Locale.ROOT, fmt, args));
  }
}
