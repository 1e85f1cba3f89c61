package dev.spindle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpindleTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Spindle spindle() {
    return Spindle.builder()
        .stdout(new PrintStream(out, true, StandardCharsets.UTF_8))
        .stderr(new PrintStream(err, true, StandardCharsets.UTF_8))
        .build();
  }

  /* ---------------- results ---------------- */

  @Test
  void run_returnValues_convertedToJava() {
    try (Spindle s = spindle()) {
      ScriptResult r = s.run("values.lua", "return nil, true, 7, 2.5, 'é', {a = 1, [1] = 'x'}").join();
      assertEquals(6, r.values().size());
      assertEquals(null, r.values().get(0));
      assertEquals(true, r.values().get(1));
      assertEquals(7L, r.values().get(2));
      assertEquals(2.5, r.values().get(3));
      assertEquals("é", r.values().get(4));
      assertEquals(Map.of("a", 1L, 1L, "x"), r.values().get(5));
      assertEquals(0, r.exitStatus());
    }
  }

  @Test
  void run_arguments_inArgAndVarargs() {
    try (Spindle s = spindle()) {
      ScriptResult r = s.run("args.lua", "local a, b = ... return a, b, arg[0], arg[2], #arg", "one", "two").join();
      assertEquals(List.of("one", "two", "args.lua", "two", 2L), r.values());
    }
  }

  @Test
  void print_goesToTheConfiguredStream() {
    try (Spindle s = spindle()) {
      s.run("p.lua", "print('a', 1, nil, true) print('\\0bin')").join();
    }
    assertEquals("a\t1\tnil\ttrue\n\0bin\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void osExit_endsTheRunWithItsStatus_notTheJvm() {
    try (Spindle s = spindle()) {
      assertEquals(7, s.run("exit.lua", "os.exit(7) error('not reached')").join().exitStatus());
      assertEquals(1, s.run("exit.lua", "require('stdnse').new_thread(function() os.exit(false) end) require('stdnse').sleep(1)").join().exitStatus());
      assertEquals(0, s.run("exit.lua", "os.exit()").join().exitStatus());
    }
  }

  /* ---------------- failures ---------------- */

  @Test
  void error_inMainThread_failsWithTraceback() {
    try (Spindle s = spindle()) {
      ScriptException e = assertThrows(ScriptException.class,
          () -> s.run("boom.lua", "local function f()\n error('boom')\nend\nf()").join());
      assertEquals("boom.lua:2: boom", e.getMessage());
      assertTrue(e.traceback().contains("stack traceback:"), e.traceback());
      assertTrue(e.traceback().contains("boom.lua:4: in main chunk"), e.traceback());
    }
  }

  @Test
  void error_nonStringObject_isDescribed() {
    try (Spindle s = spindle()) {
      ScriptException e = assertThrows(ScriptException.class, () -> s.run("t.lua", "error({})").join());
      assertEquals("(error object is a table value)", e.getMessage());
      ScriptException e2 = assertThrows(ScriptException.class,
          () -> s.run("t.lua", "error(setmetatable({}, {__tostring = function() return 'custom' end}))").join());
      assertEquals("custom", e2.getMessage());
    }
  }

  @Test
  void syntaxError_failsTheRun() {
    try (Spindle s = spindle()) {
      ScriptException e = assertThrows(ScriptException.class, () -> s.run("bad.lua", "x = = 1").join());
      assertTrue(e.getMessage().contains("bad.lua:1:"), e.getMessage());
    }
  }

  @Test
  void deadlock_reportsEveryWaitingThread() {
    String src = """
        local stdnse, nmap = require "stdnse", require "nmap"
        local cv = nmap.condvar("never")
        stdnse.new_thread(function()
          nmap.mutex("m") "lock"
          cv "wait"
        end)
        stdnse.sleep(0.01)
        nmap.mutex("m") "lock"
        """;
    try (Spindle s = spindle()) {
      DeadlockException e = assertThrows(DeadlockException.class, () -> s.run("dl.lua", src).join());
      String report = e.getMessage();
      assertTrue(report.startsWith("deadlock:"), report);
      assertTrue(report.contains("main (dl.lua) at dl.lua:8 waits on nmap.mutex(\"m\")"), report);
      assertTrue(report.contains("worker 2 (started at dl.lua:3) at dl.lua:5 waits on nmap.condvar(\"never\")"), report);
    }
  }

  @Test
  void deadlock_notReportedWhileATimerCanStillWakeSomeone() {
    String src = """
        local stdnse, nmap = require "stdnse", require "nmap"
        local cv = nmap.condvar("later")
        stdnse.new_thread(function() stdnse.sleep(0.05) cv "signal" end)
        cv "wait"
        return "woken"
        """;
    try (Spindle s = spindle()) {
      assertEquals(List.of("woken"), s.run("nodl.lua", src).join().values());
    }
  }

  @Test
  void workerError_unread_reportedOnceOnStderr() {
    String src = """
        local stdnse = require "stdnse"
        stdnse.new_thread(function() error("lost worker") end)
        local _, st = stdnse.new_thread(function() error("read worker") end)
        stdnse.sleep(0.01)
        assert(select(2, st()):find("read worker"))
        return "main ok"
        """;
    try (Spindle s = spindle()) {
      assertEquals(List.of("main ok"), s.run("w.lua", src).join().values());
    }
    String e = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, e.split("lost worker", -1).length - 1, e);
    assertTrue(e.contains("worker 2 (started at w.lua:2) failed: w.lua:2: lost worker"), e);
    assertTrue(e.contains("stack traceback:"), e);
    assertTrue(!e.contains("read worker"), e);
  }

  @Test
  void leftoverWorkers_stoppedWhenMainEnds() {
    String src = """
        local stdnse = require "stdnse"
        stdnse.new_thread(function() stdnse.sleep(0.05) print("worker still ran") end)
        return "done"
        """;
    try (Spindle s = spindle()) {
      assertEquals(List.of("done"), s.run("left.lua", src).join().values());
    }
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void scriptsInOneSpindle_runInParallelAndIndependently() {
    try (Spindle s = spindle()) {
      ScriptRun bad = s.run("bad.lua", "require('stdnse').sleep(0.02) error('one fails')");
      ScriptRun good = s.run("good.lua", "require('stdnse').sleep(0.02) return 'other fine'");
      assertThrows(ScriptException.class, bad::join);
      assertEquals(List.of("other fine"), good.join().values());
    }
  }

  @Test
  void stop_failsARunningScript() {
    try (Spindle s = spindle()) {
      ScriptRun run = s.run("forever.lua", "while true do require('stdnse').sleep(0.01) end");
      run.stop();
      ScriptException e = assertThrows(ScriptException.class, run::join);
      assertTrue(e.getMessage().contains("stopped"), e.getMessage());
    }
  }

  @Test
  void close_stopsRunsStillGoing() {
    ScriptRun run;
    try (Spindle s = spindle()) {
      run = s.run("forever.lua", "while true do require('stdnse').sleep(0.01) end");
    }
    assertThrows(ScriptException.class, run::join);
    assertThrows(IllegalStateException.class, () -> {
      Spindle s = spindle();
      s.close();
      s.run("late.lua", "return 1");
    });
  }

  @Test
  void modulePath_searchedAfterTheScriptDirectory(@TempDir Path tmp) throws Exception {
    Path lib = Files.createDirectories(tmp.resolve("lib"));
    Files.writeString(lib.resolve("greeting.lua"), "return { text = 'from lib' }");
    Path scriptDir = Files.createDirectories(tmp.resolve("app"));
    Path script = scriptDir.resolve("main.lua");
    Files.writeString(script, "return require('greeting').text");
    try (Spindle s = Spindle.builder().modulePath(List.of(lib)).build()) {
      assertEquals(List.of("from lib"), s.run(script).join().values());
      Files.writeString(scriptDir.resolve("greeting.lua"), "return { text = 'from script dir' }");
      assertEquals(List.of("from script dir"), s.run(script).join().values());
    }
  }

  @Test
  void sessionStore_sharedBetweenScriptsAndJava() {
    try (Spindle s = spindle()) {
      s.sessionStore().set(dev.spindle.kernel.session.EntryKey.of("from java"), "hello");
      ScriptRun run = s.run("sess.lua", """
          local session = require "session"
          session.set("g", "from script", session.get_string("from java") .. " back")
          return require("script").handle()
          """);
      long handle = (Long) run.join().values().get(0);
      assertEquals(handle, run.handle());
      var entry = s.sessionStore().get(dev.spindle.kernel.session.EntryKey.of("g", null, "from script")).orElseThrow();
      assertEquals("hello back", entry.data());
      assertEquals(handle, entry.handle());
      assertTrue(s.run("other.lua", "return 1").handle() > handle, "handles are never reused");
    }
  }

  @Test
  void binaryChunks_refused() {
    try (Spindle s = spindle()) {
      ScriptResult r = s.run("bin.lua", """
          local f = string.dump(function() return 1 end)
          return load(f), select(2, load(f, "x", "b")), pcall(load, f, "x", "t")
          """).join();
      assertEquals(null, r.values().get(0));
      assertTrue(String.valueOf(r.values().get(1)).contains("binary chunk"), r.values().toString());
    }
  }
}
