package dev.spindle;

/**
 * A script run failed: its main thread raised an error (the message is the error's text; the Lua
 * traceback names the file and line), or the run was stopped. Unchecked.
 */
public class ScriptException extends RuntimeException {
  private final String traceback;

  public ScriptException(String message, String traceback) {
    super(message);
    this.traceback = traceback == null ? message : traceback;
  }

  /** The message followed by the Lua stack traceback of the failing thread. */
  public String traceback() {
    return traceback;
  }
}
