package dev.spindle.kernel.reactor;

import java.util.concurrent.ScheduledFuture;

/**
 * A task armed to run once on its reactor after a delay. Confined to the reactor thread: it is created,
 * fired and cancelled there, so its state needs no synchronisation.
 */
public final class Timer implements Runnable {
  private final Reactor reactor;
  private final Runnable task;
  private ScheduledFuture<?> future; // set once by Reactor.schedule
  private boolean pending = true; // true until fired or cancelled; holds one wake source while true

  Timer(Reactor reactor, Runnable task) {
    this.reactor = reactor;
    this.task = task;
    reactor.holdWakeSource();
  }

  void arm(ScheduledFuture<?> future) {
    this.future = future;
  }

  @Override
  public void run() {
    if (!pending) return;
    pending = false;
    reactor.releaseWakeSource();
    task.run();
  }

  /** Disarms the timer; returns false if it had already fired or been cancelled. Reactor thread only. */
  public boolean cancel() {
    assert reactor.inLoop();
    if (!pending) return false;
    pending = false;
    reactor.releaseWakeSource();
    future.cancel(false);
    return true;
  }

  /** True until the timer fires or is cancelled. */
  public boolean isPending() {
    return pending;
  }
}
