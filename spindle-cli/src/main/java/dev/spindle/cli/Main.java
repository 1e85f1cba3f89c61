package dev.spindle.cli;

import dev.spindle.DeadlockException;
import dev.spindle.ScriptException;
import dev.spindle.ScriptResult;
import dev.spindle.Spindle;
import dev.spindle.spec.SpecRunner;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The {@code spindle} command. Exit status: 0 ok, 1 script error, 2 usage, 3 deadlock, else os.exit's. */
@Command(
    name = "spindle",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Runs Lua 5.4 scripts whose threads are coroutines.",
    subcommands = {Main.Run.class, Main.Test.class})
public final class Main implements Callable<Integer> {
  static final int ERROR = 1, DEADLOCK = 3;

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;

  Main(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  public static void main(String[] args) {
    System.exit(execute(System.out, System.err, System.getenv(), args));
  }

  /** Runs the command line and returns the exit status. */
  static int execute(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    CommandLine cl = new CommandLine(new Main(out, err, env));
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.getSubcommands().get("run").setStopAtPositional(true);
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(out);
    return 0;
  }

  /** Directories of SPINDLE_PATH (separated like PATH). */
  private List<Path> modulePath() {
    List<Path> dirs = new ArrayList<>();
    String p = env.get("SPINDLE_PATH");
    if (p != null) {
      for (String d : p.split(File.pathSeparator)) if (!d.isEmpty()) dirs.add(Path.of(d));
    }
    return dirs;
  }

  private Spindle spindle() {
    return Spindle.builder().modulePath(modulePath()).stdout(out).stderr(err).build();
  }

  @Command(name = "run", description = "Runs FILE as the main script thread; ARGS become arg[1..n] and '...'.")
  static final class Run implements Callable<Integer> {
    @CommandLine.ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "FILE", description = "the Lua script")
    Path file;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "arguments for the script")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      if (!Files.isReadable(file)) {
        main.err.println("spindle: cannot open " + file);
        return ERROR;
      }
      Spindle spindle = main.spindle();
      // SIGINT/SIGTERM: stop the scripts, running their script.on_unwind functions, before the JVM exits
      Thread onSignal = new Thread(spindle::close, "spindle-shutdown");
      Runtime.getRuntime().addShutdownHook(onSignal);
      try (spindle) {
        ScriptResult r = spindle.run(file, args.toArray(String[]::new)).join();
        return r.exitStatus();
      } catch (DeadlockException e) {
        main.err.println("spindle: " + e.getMessage());
        return DEADLOCK;
      } catch (ScriptException e) {
        main.err.println("spindle: " + e.traceback());
        return ERROR;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: the JVM is exiting on a signal
        }
      }
    }
  }

  @Command(name = "test", description = "Runs Lua spec files (*_spec.lua) and reports each case.")
  static final class Test implements Callable<Integer> {
    @CommandLine.ParentCommand Main main;

    @Parameters(paramLabel = "PATH", description = "spec files or directories (default: spec)")
    List<Path> paths = new ArrayList<>(List.of(Path.of("spec")));

    @Override
    public Integer call() {
      int passed = 0, failed = 0;
      try (Spindle spindle = main.spindle()) {
        for (Path f : SpecRunner.find(paths)) {
          for (SpecRunner.Case c : SpecRunner.run(spindle, f)) {
            if (c.passed()) {
              passed++;
              main.out.println("ok   " + f + ": " + c.name());
            } else {
              failed++;
              main.out.println("FAIL " + f + ": " + c.name() + "\n     " + c.message().replace("\n", "\n     "));
            }
          }
        }
      }
      main.out.println(passed + " passed, " + failed + " failed");
      return failed == 0 ? 0 : ERROR;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"spindle " + Spindle.version() + " (Lua 5.4, Java " + Runtime.version() + ")"};
    }
  }
}
