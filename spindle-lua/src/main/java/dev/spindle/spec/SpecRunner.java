package dev.spindle.spec;

import dev.spindle.ScriptException;
import dev.spindle.ScriptResult;
import dev.spindle.Spindle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs Lua spec files through the real runtime: each file is a script that registers cases with {@code
 * spindle.spec} and returns {@code spec.run()}. A file that fails as a whole (an error outside the cases,
 * a deadlock) counts as one failed case named after the file.
 */
public final class SpecRunner {
  /** One case of one file. */
  public record Case(Path file, String name, boolean passed, String message) {}

  private SpecRunner() {}

  /** Spec files ({@code *_spec.lua}) under each path, sorted; a path that is a file is taken as is. */
  public static List<Path> find(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(f -> f.getFileName().toString().endsWith("_spec.lua")).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else {
        files.add(p);
      }
    }
    return files;
  }

  /** Runs one spec file in its own run of {@code spindle} and returns its cases. */
  public static List<Case> run(Spindle spindle, Path file) {
    ScriptResult r;
    try {
      r = spindle.run(file).join();
    } catch (ScriptException e) {
      return List.of(new Case(file, file.getFileName().toString(), false, e.traceback()));
    }
    if (r.values().isEmpty() || !(r.values().get(0) instanceof Map<?, ?> summary)
        || !(summary.get("cases") instanceof Map<?, ?> cases)) {
      return List.of(new Case(file, file.getFileName().toString(), false, "the spec file did not return spec.run()"));
    }
    List<Case> out = new ArrayList<>();
    for (long i = 1; cases.get(i) instanceof Map<?, ?> c; i++) {
      out.add(new Case(file, String.valueOf(c.get("name")), Boolean.TRUE.equals(c.get("ok")),
          c.get("err") == null ? null : String.valueOf(c.get("err"))));
    }
    return out;
  }
}
