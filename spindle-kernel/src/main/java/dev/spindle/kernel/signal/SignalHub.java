package dev.spindle.kernel.signal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where signals meet their listeners: the OS signals the JVM lets Java handle, and signals raised
 * in-process ({@link #raise}), which never reach the OS.
 *
 * <p>Each party (a Lua state, a Java component) gets a {@link Scope}: its listeners and its dispositions
 * (blocked, ignored). Closing the scope drops them all, so nothing outlives its owner. A delivery of a
 * signal goes:
 *
 * <ol>
 *   <li>to every listener of it, in every scope, if there is one (each listener gets its own copy);
 *   <li>else it is held in every scope that blocks it, for the next listener of it made there;
 *   <li>else it is dropped if some scope ignores (or discards) it;
 *   <li>else the default happens: for an OS signal, what the JVM would have done without Spindle (for
 *       SIGTERM, SIGINT and SIGHUP an orderly exit that runs the shutdown hooks); a raised one is dropped.
 * </ol>
 *
 * <p>The hub catches an OS signal only while some scope listens for it, blocks it or ignores it, and gives
 * it back to the JVM's handler when none does (see {@link OsSignals} for which signals it can catch).
 *
 * <p>Concurrency: thread-safe; one lock guards the registry. Listeners are woken outside it.
 */
public final class SignalHub {
  /** Signal numbers run from 1 to MAX (Linux: 31 standard signals, then the real-time ones). */
  public static final int MAX = 64;

  /** What became of one delivery. */
  public enum Outcome {
    /** Given to at least one listener. */
    DELIVERED,
    /** Kept by a scope that blocks it, for its next listener. */
    HELD,
    /** Dropped: nobody listens, nobody holds it, and it is ignored. */
    DROPPED,
    /** Nobody took it: the default action applies (for a raised signal: nothing). */
    DEFAULT
  }

  /** The OS side: which signals can be caught, catching them and giving them back. */
  interface Os {
    boolean catchable(int sig);

    /** Starts passing OS deliveries of {@code sig} to {@code hub}. Called under the hub's lock. */
    void install(int sig, SignalHub hub);

    /** Gives {@code sig} back to the handler it had before {@link #install}. Called under the hub's lock. */
    void restore(int sig);

    /** Does what would have happened to this delivery without the hub. */
    void passOn(int sig);

    Os NONE = new Os() {
      @Override
      public boolean catchable(int sig) {
        return false;
      }

      @Override
      public void install(int sig, SignalHub hub) {}

      @Override
      public void restore(int sig) {}

      @Override
      public void passOn(int sig) {}
    };
  }

  private static final SignalHub PROCESS = new SignalHub(new OsSignals());

  private final Os os;
  private final Set<Scope> scopes = new LinkedHashSet<>(); // guarded by this
  private long installed; // guarded by this: signals whose OS deliveries come here

  /** A hub of its own, not connected to OS signals: only {@link #raise} delivers to its listeners. */
  public SignalHub() {
    this(Os.NONE);
  }

  SignalHub(Os os) {
    this.os = os;
  }

  /** The hub of this JVM, which OS signals reach. */
  public static SignalHub process() {
    return PROCESS;
  }

  /** True if OS deliveries of {@code sig} can reach this hub's listeners (else only raised ones do). */
  public boolean catchesOs(int sig) {
    return valid(sig) && os.catchable(sig);
  }

  /** A new scope for one party's listeners and dispositions. */
  public Scope newScope() {
    Scope s = new Scope();
    synchronized (this) {
      scopes.add(s);
    }
    return s;
  }

  /** Delivers {@code sig} in-process, as if the OS had sent it, except that the default action is nothing. */
  public Outcome raise(int sig) {
    check(sig);
    return deliver(sig);
  }

  /** An OS delivery of {@code sig} (from {@link OsSignals}'s handler). */
  void fromOs(int sig) {
    if (deliver(sig) == Outcome.DEFAULT) os.passOn(sig);
  }

  private Outcome deliver(int sig) {
    List<SignalListener> targets = new ArrayList<>();
    Outcome out;
    synchronized (this) {
      boolean held = false, dropped = false;
      for (Scope s : scopes) {
        for (SignalListener l : s.listeners) {
          if (l.listensFor(sig)) targets.add(l);
        }
      }
      if (targets.isEmpty()) {
        long b = bit(sig);
        for (Scope s : scopes) {
          if ((s.blocked & b) != 0) {
            s.held[sig]++;
            held = true;
          }
          dropped |= (s.ignored & b) != 0;
        }
      }
      out = !targets.isEmpty() ? Outcome.DELIVERED : held ? Outcome.HELD : dropped ? Outcome.DROPPED : Outcome.DEFAULT;
    }
    for (SignalListener l : targets) l.deliver(sig, 1);
    return out;
  }

  /** Catches exactly the OS signals some scope listens for, blocks or ignores. Called under the lock. */
  private void sync() {
    assert Thread.holdsLock(this);
    long wanted = 0;
    for (Scope s : scopes) {
      wanted |= s.blocked | s.ignored;
      for (SignalListener l : s.listeners) wanted |= l.mask();
    }
    for (int sig = 1; sig <= MAX; sig++) {
      long b = bit(sig);
      if ((wanted & b) != (installed & b) && os.catchable(sig)) {
        if ((wanted & b) != 0) os.install(sig, this);
        else os.restore(sig);
        installed ^= b;
      }
    }
  }

  static long bit(int sig) {
    return 1L << (sig - 1);
  }

  static boolean valid(int sig) {
    return sig >= 1 && sig <= MAX;
  }

  private static long mask(int... sigs) {
    long m = 0;
    for (int sig : sigs) {
      check(sig);
      m |= bit(sig);
    }
    return m;
  }

  private static void check(int sig) {
    if (!valid(sig)) throw new IllegalArgumentException("not a signal number (1.." + MAX + "): " + sig);
  }

  /**
   * One party's listeners and dispositions. Blocking a signal keeps its deliveries that no listener took
   * for the scope's next listener of it; ignoring drops them instead of letting the default happen.
   */
  public final class Scope implements AutoCloseable {
    private final List<SignalListener> listeners = new ArrayList<>(); // guarded by the hub
    private final long[] held = new long[MAX + 1]; // guarded by the hub: deliveries kept while blocked
    private long blocked, ignored; // guarded by the hub
    private boolean closed; // guarded by the hub

    private Scope() {}

    /** A listener of {@code sigs}; it starts with the deliveries of them this scope held. */
    public SignalListener listen(int... sigs) {
      long m = mask(sigs);
      SignalListener l = new SignalListener(this, m);
      synchronized (SignalHub.this) {
        if (closed) throw new IllegalStateException("signal scope closed");
        for (int sig = 1; sig <= MAX; sig++) {
          if ((m & bit(sig)) != 0) {
            l.deliver(sig, held[sig]);
            held[sig] = 0;
          }
        }
        listeners.add(l);
        sync();
      }
      return l;
    }

    /** Holds deliveries of {@code sigs} that no listener takes, for this scope's next listener of them. */
    public void block(int... sigs) {
      change(mask(sigs), true, false);
    }

    /** Stops holding {@code sigs}; deliveries held so far are dropped. */
    public void unblock(int... sigs) {
      change(mask(sigs), false, false);
    }

    /** Drops deliveries of {@code sigs} that nobody listens for or holds, instead of the default action. */
    public void ignore(int... sigs) {
      change(mask(sigs), true, true);
    }

    /** Undoes {@link #ignore}: the default action applies again. */
    public void reset(int... sigs) {
      change(mask(sigs), false, true);
    }

    private void change(long m, boolean set, boolean ignore) {
      synchronized (SignalHub.this) {
        if (closed) throw new IllegalStateException("signal scope closed");
        if (ignore) {
          ignored = set ? ignored | m : ignored & ~m;
        } else {
          blocked = set ? blocked | m : blocked & ~m;
          if (!set) {
            for (int sig = 1; sig <= MAX; sig++) if ((m & bit(sig)) != 0) held[sig] = 0;
          }
        }
        sync();
      }
    }

    void forget(SignalListener l) {
      synchronized (SignalHub.this) {
        if (listeners.remove(l)) sync();
      }
    }

    /** Closes the scope's listeners and drops its dispositions. Idempotent. */
    @Override
    public void close() {
      List<SignalListener> ls;
      synchronized (SignalHub.this) {
        if (closed) return;
        closed = true;
        ls = new ArrayList<>(listeners);
        listeners.clear();
        scopes.remove(this);
        sync();
      }
      for (SignalListener l : ls) l.close();
    }
  }
}
