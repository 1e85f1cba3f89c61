package dev.spindle.kernel.reactor;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One OS thread that runs tasks in submission order and fires timers: the unit of confinement.
 *
 * <p>Concurrency: {@link #execute} and {@link #close} may be called from any thread; everything else
 * ({@link #schedule}, {@link #holdWakeSource}, {@link #wakeSources}) only on the reactor's own thread.
 * Whatever a reactor owns (a Lua state, the timers it armed) is touched only by that thread, so it needs no
 * locks.
 *
 * <p>Wake sources: the reactor counts what could still produce work for it without anyone on the reactor
 * acting first: armed timers and waiters parked on thread-safe primitives ({@link
 * dev.spindle.kernel.wait.TaskWaiter}). A scheduler that finds its run queue empty and this count at zero
 * knows that nothing will ever wake its waiting threads: that is a deadlock, not a pause.
 *
 * <p>Built on a single-threaded Netty event loop so that sockets can be registered on the same thread.
 */
public final class Reactor implements AutoCloseable {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final MultiThreadIoEventLoopGroup group;
  private final EventLoop loop;
  private int wakeSources; // reactor thread only

  private Reactor(String name) {
    this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, false), NioIoHandler.newFactory());
    this.loop = group.next();
  }

  /** Starts a reactor whose thread is named after {@code name}. */
  public static Reactor start(String name) {
    Objects.requireNonNull(name, "name");
    return new Reactor(name);
  }

  /** True when called on this reactor's thread. */
  public boolean inLoop() {
    return loop.inEventLoop();
  }

  /**
   * Runs {@code task} on the reactor thread after every task submitted before it. Any thread. Returns
   * false, dropping the task, once the reactor has shut down: what it owned is gone, so there is nothing
   * left for the task to act on. While {@link #close} is in progress a task may still be accepted and run,
   * and in a narrow race at the very end of shutdown one may be accepted and never run; callers whose
   * task matters after close must not rely on it (nothing in Spindle does: a closed run has no state left).
   */
  public boolean execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Arms a timer that runs {@code task} on the reactor thread after {@code delayNanos}. Reactor thread only.
   * The timer counts as a wake source until it fires or is cancelled.
   */
  public Timer schedule(long delayNanos, Runnable task) {
    assert inLoop() : "schedule off the reactor thread";
    Objects.requireNonNull(task, "task");
    if (delayNanos < 0) throw new IllegalArgumentException("delayNanos < 0: " + delayNanos);
    Timer timer = new Timer(this, task);
    timer.arm(loop.schedule(timer, delayNanos, TimeUnit.NANOSECONDS));
    return timer;
  }

  /** Counts one more thing that can wake this reactor from outside. Reactor thread only. */
  public void holdWakeSource() {
    assert inLoop();
    wakeSources++;
  }

  /** Undoes one {@link #holdWakeSource}. Reactor thread only. */
  public void releaseWakeSource() {
    assert inLoop();
    if (--wakeSources < 0) throw new IllegalStateException("wake sources < 0: " + wakeSources);
  }

  /** Timers and parked waiters that may still produce work. Reactor thread only. */
  public int wakeSources() {
    assert inLoop();
    return wakeSources;
  }

  /** The underlying Netty loop, for registering channels on this reactor. */
  public EventLoop eventLoop() {
    return loop;
  }

  /**
   * Stops the thread after the tasks already submitted. Idempotent. From another thread it waits (bounded)
   * for the thread to end; on the reactor thread it only requests the stop, since a thread cannot await
   * its own termination.
   */
  @Override
  public void close() {
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    if (!inLoop()) {
      group.terminationFuture().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
    }
  }

  /** True once the thread has ended. */
  public boolean isTerminated() {
    return group.isTerminated();
  }
}
