package dev.spindle;

import java.util.List;

/**
 * How a script run ended when it did not fail: the values the main chunk returned (converted to Java:
 * null, Boolean, Long, Double, String, or a Map for a table; other Lua values as their type name),
 * and the exit status ({@code os.exit}'s argument, else 0).
 */
public record ScriptResult(List<Object> values, int exitStatus) {
  public ScriptResult {
    values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
  }
}
