package dev.spindle.kernel.sync;

import dev.spindle.kernel.wait.WaitQueue;
import dev.spindle.kernel.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A result that is settled once (cqueues' {@code promise}, Python's {@code concurrent.futures.Future}):
 * fulfilled with a value, rejected with a reason, or cancelled. Thread-safe; waiters may be parked Java
 * threads or tasks on reactors.
 *
 * <p>Settling: the first of {@link #fulfill}, {@link #reject} and {@link #cancel} wins and returns true;
 * the others then return false and change nothing (bindings turn that into their own error, e.g. cqueues'
 * "attempt to set value of resolved promise"). {@link #cancel} succeeds only before {@link #start}.
 *
 * <p>Wakeups: settling wakes every waiter with {@code Boolean.TRUE}, then runs the {@link #onSettle}
 * callbacks, once each, in the order they were added, on the settling thread with no lock held. A callback
 * added after settling runs at once on the adding thread. What a callback throws goes to the running
 * thread's uncaught-exception handler; the other callbacks still run and the settling call still succeeds.
 */
public final class Promise {
  /** Where a promise is in its life. */
  public enum State {
    /** Not settled; may be cancelled. */
    PENDING,
    /** Not settled; its work has started ({@link #start}), so it can no longer be cancelled. */
    RUNNING,
    FULFILLED,
    REJECTED,
    CANCELLED
  }

  private final ReentrantLock lock = new ReentrantLock();
  private State state = State.PENDING; // guarded by lock; PENDING -> RUNNING -> settled, or PENDING -> settled
  private Object result; // guarded by lock; the value or the reason, written once when settled
  private final WaitQueue waiters = new WaitQueue(); // guarded by lock; empty once settled
  private List<Consumer<? super Promise>> callbacks = new ArrayList<>(); // guarded by lock; null once settled

  /** Fulfils the promise with {@code value} (may be null). False if it was settled already. */
  public boolean fulfill(Object value) {
    return settle(State.FULFILLED, value);
  }

  /** Rejects the promise with {@code reason} (may be null). False if it was settled already. */
  public boolean reject(Object reason) {
    return settle(State.REJECTED, reason);
  }

  /** Cancels the promise if it is pending (not started, not settled); false otherwise. */
  public boolean cancel() {
    return settle(State.CANCELLED, null);
  }

  /**
   * Marks the promise's work as started, so that it can no longer be cancelled (Python's {@code
   * set_running_or_notify_cancel}). False if it was cancelled, in which case the work must not run.
   * Throws IllegalStateException if it was started or settled otherwise.
   */
  public boolean start() {
    lock.lock();
    try {
      if (state == State.CANCELLED) return false;
      if (state != State.PENDING) throw new IllegalStateException("promise already " + name(state));
      state = State.RUNNING;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns true if the promise is settled (the waiter is not queued); otherwise queues {@code waiter},
   * returns false, and the waiter is woken with {@code Boolean.TRUE} when it settles.
   */
  public boolean register(Waiter waiter) {
    return Waiters.register(lock, waiters, waiter, this, p -> isSettled(p.state));
  }

  /** Forgets a waiter that gave up. */
  public void unregister(Waiter waiter) {
    Waiters.remove(lock, waiters, waiter);
  }

  /**
   * Blocks the calling Java thread until the promise is settled (true) or {@code timeout} passes (false).
   * Interruptible. Must not be called on a reactor thread.
   */
  public boolean await(Duration timeout) throws InterruptedException {
    return Blocking.await(timeout, this::register, this::unregister);
  }

  /** Runs {@code callback} with this promise once it is settled: later, or now if it is settled already. */
  public void onSettle(Consumer<? super Promise> callback) {
    Objects.requireNonNull(callback, "callback");
    lock.lock();
    try {
      if (callbacks != null) {
        callbacks.add(callback);
        return;
      }
    } finally {
      lock.unlock();
    }
    run(callback);
  }

  public State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** True once fulfilled, rejected or cancelled. */
  public boolean isSettled() {
    return isSettled(state());
  }

  /** The value it was fulfilled with. Throws IllegalStateException if it is not fulfilled. */
  public Object value() {
    return result(State.FULFILLED);
  }

  /** The reason it was rejected with. Throws IllegalStateException if it is not rejected. */
  public Object reason() {
    return result(State.REJECTED);
  }

  private static String name(State s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static boolean isSettled(State s) {
    return s != State.PENDING && s != State.RUNNING;
  }

  private Object result(State wanted) {
    lock.lock();
    try {
      if (state != wanted) throw new IllegalStateException("promise " + name(state) + ", not " + name(wanted));
      return result;
    } finally {
      lock.unlock();
    }
  }

  private boolean settle(State to, Object result) {
    List<Waiter> woken;
    List<Consumer<? super Promise>> run;
    lock.lock();
    try {
      if (isSettled(state) || (to == State.CANCELLED && state != State.PENDING)) return false;
      state = to;
      this.result = result;
      woken = waiters.takeAll();
      run = callbacks;
      callbacks = null;
    } finally {
      lock.unlock();
    }
    Waiters.wakeAll(woken, Boolean.TRUE);
    for (Consumer<? super Promise> c : run) run(c);
    return true;
  }

  private void run(Consumer<? super Promise> callback) {
    try {
      callback.accept(this);
    } catch (RuntimeException | Error e) {
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }
  }
}
