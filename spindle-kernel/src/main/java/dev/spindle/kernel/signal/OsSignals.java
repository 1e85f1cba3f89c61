package dev.spindle.kernel.signal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The only user of {@code sun.misc.Signal}: catches the OS signals that Spindle lets scripts handle, and
 * gives them back.
 *
 * <p>Catchable (HotSpot on Linux; each checked with a real kill on JDK 25, the handlers seen alike on 17):
 * HUP, INT, TERM, USR1, ALRM, CONT, TSTP, TTIN, TTOU, URG, XCPU, VTALRM, WINCH, IO, PWR. Not catchable:
 *
 * <ul>
 *   <li>QUIT (thread dumps, attach), SEGV, BUS, FPE, ILL, PIPE, XFSZ: the VM's own handlers;
 *   <li>USR2: HotSpot's thread suspend/resume handler. {@code Signal.handle} accepts it but replaces the
 *       VM's handler, which breaks the VM, so Spindle refuses it;
 *   <li>CHLD: the JDK sets it back to the default when it starts its first child process;
 *   <li>PROF: the JFR CPU-time sampler's; TRAP, ABRT, SYS, STKFLT: faults and debuggers;
 *   <li>KILL, STOP: nobody can; 32..64: glibc's and the real-time signals, which Java cannot name.
 * </ul>
 *
 * <p>A JVM started with {@code -Xrs} keeps HUP, INT and TERM for itself; one started with a signal ignored
 * (nohup: HUP; a background job: INT) keeps it ignored. Catching then quietly does nothing.
 */
final class OsSignals implements SignalHub.Os {
  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(1, "HUP"), Map.entry(2, "INT"), Map.entry(10, "USR1"), Map.entry(14, "ALRM"),
      Map.entry(15, "TERM"), Map.entry(18, "CONT"), Map.entry(20, "TSTP"),
      Map.entry(21, "TTIN"), Map.entry(22, "TTOU"), Map.entry(23, "URG"), Map.entry(24, "XCPU"),
      Map.entry(26, "VTALRM"), Map.entry(28, "WINCH"), Map.entry(29, "IO"), Map.entry(30, "PWR"));

  // the handler each signal had before the hub first caught it (the JVM's, or SIG_DFL), kept for passOn
  private final Map<Integer, SignalHandler> previous = new ConcurrentHashMap<>();

  @Override
  public boolean catchable(int sig) {
    return NAMES.containsKey(sig);
  }

  @Override
  public void install(int sig, SignalHub hub) {
    try {
      SignalHandler old = Signal.handle(new Signal(NAMES.get(sig)), s -> hub.fromOs(s.getNumber()));
      previous.putIfAbsent(sig, old);
    } catch (IllegalArgumentException e) {
      // -Xrs, or the VM or OS uses it here: OS deliveries of it just do not come to the hub
    }
  }

  @Override
  public void restore(int sig) {
    SignalHandler old = previous.get(sig);
    if (old != null) Signal.handle(new Signal(NAMES.get(sig)), old);
  }

  /**
   * A delivery that reached the hub just as nobody wanted it any more (the last listener closed between the
   * signal and its handling): does what the handler it replaced would have done.
   */
  @Override
  public void passOn(int sig) {
    SignalHandler old = previous.get(sig);
    if (old == null || old == SignalHandler.SIG_IGN) return;
    if (old == SignalHandler.SIG_DFL) {
      Signal.raise(new Signal(NAMES.get(sig))); // the handler is back to the default by now: the OS acts
      return;
    }
    try {
      old.handle(new Signal(NAMES.get(sig))); // the JVM's handler: for HUP, INT, TERM an orderly exit
    } catch (UnsupportedOperationException nativeHandler) {
      // a native handler (the signal was ignored when the JVM started) cannot be called from Java
    }
  }
}
