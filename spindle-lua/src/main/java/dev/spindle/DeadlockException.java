package dev.spindle;

/**
 * A script run stopped because every thread was waiting and nothing could wake any of them. The message is
 * the report: each waiting thread, the script line it stopped at, and what it waits on.
 */
public final class DeadlockException extends ScriptException {
  public DeadlockException(String report) {
    super(report, report);
  }
}
