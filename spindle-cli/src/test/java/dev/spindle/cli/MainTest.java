package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The spindle command end to end: exit statuses, what goes to stdout and stderr. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainTest {
  private static final Path ROOT = Path.of(System.getProperty("spindle.root", ".."));
  private static final Path SCRIPTS = Path.of("src/test/resources/scripts");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int spindle(Map<String, String> env, String... args) {
    return Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
  }

  private int spindle(String... args) {
    return spindle(Map.of(), args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void run_success_exitsZeroAndPassesArguments() {
    assertEquals(0, spindle("run", SCRIPTS.resolve("args.lua").toString(), "one", "--two"));
    assertEquals("2\tone\t--two\n" + SCRIPTS.resolve("args.lua") + "\tone\t--two\n", out());
  }

  @Test
  void run_uncaughtError_exitsOneWithTracebackNamingFileAndLine() {
    assertEquals(1, spindle("run", SCRIPTS.resolve("fails.lua").toString()));
    String e = err();
    assertTrue(e.startsWith("spindle: " + SCRIPTS.resolve("fails.lua") + ":2: script failed here"), e);
    assertTrue(e.contains("stack traceback:"), e);
    assertTrue(e.contains("fails.lua:4: in main chunk"), e);
  }

  @Test
  void run_deadlock_exitsThreeWithReport() {
    assertEquals(Main.DEADLOCK, spindle("run", ROOT.resolve("examples/deadlock.lua").toString()));
    String e = err();
    assertTrue(e.contains("deadlock: every thread waits and nothing can wake any of them"), e);
    assertTrue(e.contains("deadlock.lua:18 waits on nmap.mutex(\"account B\")"), e);
    assertTrue(e.contains("deadlock.lua:13 waits on nmap.mutex(\"account A\")"), e);
  }

  @Test
  void run_unreadWorkerError_reportedOnceButExitFollowsMain() {
    assertEquals(0, spindle("run", SCRIPTS.resolve("worker_fails.lua").toString()));
    assertEquals("main ends fine\n", out());
    String e = err();
    assertEquals(1, e.split("worker failed, nobody asked", -1).length - 1, e);
    assertTrue(e.contains("worker_fails.lua:2: worker failed"), e);
  }

  @Test
  void run_osExit_exitStatusIsTheScripts() {
    assertEquals(5, spindle("run", SCRIPTS.resolve("exits.lua").toString(), "5"));
  }

  @Test
  void run_missingFile_exitsOneWithMessage() {
    assertEquals(1, spindle("run", "no/such/file.lua"));
    assertTrue(err().contains("cannot open no/such/file.lua"), err());
  }

  @Test
  void run_spindlePath_searchedByRequire() {
    Map<String, String> env = Map.of("SPINDLE_PATH", SCRIPTS.resolve("lib").toString());
    assertEquals(0, spindle(env, "run", SCRIPTS.resolve("uses_path.lua").toString()));
    assertEquals("found through SPINDLE_PATH\n", out());
  }

  @Test
  void run_bundledExample_works() {
    assertEquals(0, spindle("run", ROOT.resolve("examples/workers.lua").toString(), "3", "9"));
    assertTrue(out().contains("9 jobs on 3 workers"), out());
  }

  @Test
  void helpAndVersion() {
    assertEquals(0, spindle("--help"));
    assertTrue(out().contains("run"), out());
    out.reset();
    assertEquals(0, spindle("--version"));
    assertTrue(out().startsWith("spindle "), out());
  }

  @Test
  void usageError_exitsTwo() {
    assertEquals(2, spindle("run"));
    assertTrue(err().contains("FILE"), err());
  }

  @Test
  void test_runsSpecFilesAndPrintsTheClosingLine() {
    assertEquals(0, spindle("test", ROOT.resolve("spec/runtime").toString()));
    assertTrue(out().strip().endsWith("6 passed, 0 failed"), out());
  }

  @Test
  void test_failingCase_reportedAndExitsOne() {
    assertEquals(1, spindle("test", "src/test/resources/specs"));
    String o = out();
    assertTrue(o.contains("FAIL src/test/resources/specs/mixed_spec.lua: fails"), o);
    assertTrue(o.contains("on purpose: expected 2, got 1"), o);
    assertTrue(o.strip().endsWith("1 passed, 1 failed"), o);
  }

  @Test
  void shellGame_atomic_passes() {
    assertEquals(0, spindle("run", ROOT.resolve("examples/shell_game.lua").toString(), "1", "12", "atomic"));
    assertTrue(out().contains("Pass - "), out());
    assertTrue(out().contains("no collisions (atomic)"), out());
  }

  @Test
  void relay_everyTlsClientGetsEveryDatagramInOrder_evenTheSlowOne() {
    assertEquals(0, spindle("run", ROOT.resolve("examples/relay.lua").toString()), out());
    assertTrue(out().contains("client 3 (slow)    500 of the relay's 500 messages, all in order"), out());
    assertTrue(out().contains("0 dropped by the relay"), out());
    assertTrue(out().contains("PASS: "), out());
  }

  @Test
  void shellGame_racyTestThenSet_fails() {
    assertEquals(1, spindle("run", ROOT.resolve("examples/shell_game.lua").toString(), "1", "12", "racy"));
    assertTrue(out().contains("FAIL: "), out());
  }

  /** A child JVM running {@code spindle run SCRIPT ARGS}, its output and errors merged. */
  private static Process child(String script, String... args) throws java.io.IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", SCRIPTS.resolve(script).toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  private static java.io.BufferedReader lines(Process p) {
    return new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  @Test
  void sigterm_runsUnwindFunctionsBeforeExit(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path mark = tmp.resolve("mark");
    Process p = child("waits_for_signal.lua", mark.toString());
    try (var reader = lines(p)) {
      assertEquals("ready", reader.readLine());
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "spindle did not exit on SIGTERM");
    }
    assertEquals("unwound", java.nio.file.Files.readString(mark));
  }

  @Test
  void sigterm_goesToAScriptThatListensForIt_whichEndsOnItsOwn() throws Exception {
    Process p = child("listens_for_sigterm.lua");
    try (var reader = lines(p)) {
      assertEquals("ready", reader.readLine()); // printed after listen: the signal is the script's from here
      p.toHandle().destroy(); // SIGTERM (Process.destroy would also close the output we read)
      assertEquals("got SIGTERM", reader.readLine());
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "spindle did not exit after the script ended");
    }
    assertEquals(0, p.exitValue());
  }
}
