package dev.spindle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.spindle.spec.SpecRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Runs every Lua spec file under {@code spec/} through the real runtime; one JUnit test per case. */
class LuaSpecTest {
  private static Spindle spindle;

  @BeforeAll
  static void start() {
    spindle = Spindle.builder().build();
  }

  @AfterAll
  static void stop() {
    spindle.close();
  }

  @TestFactory
  Stream<DynamicNode> specs() {
    Path root = Path.of(System.getProperty("spindle.specs", "../spec"));
    List<Path> files = SpecRunner.find(List.of(root));
    assertFalse(files.isEmpty(), "no spec files under " + root.toAbsolutePath());
    List<DynamicNode> nodes = new ArrayList<>();
    for (Path f : files) {
      List<DynamicTest> cases = new ArrayList<>();
      for (SpecRunner.Case c : SpecRunner.run(spindle, f)) {
        cases.add(DynamicTest.dynamicTest(c.name(), () -> {
          if (!c.passed()) fail(c.message());
        }));
      }
      nodes.add(DynamicContainer.dynamicContainer(root.relativize(f).toString(), cases));
    }
    return nodes.stream();
  }
}
