package dev.spindle.kernel.wait;

import dev.spindle.kernel.reactor.Reactor;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A waiter that lives on a reactor: when woken from any thread, its continuation runs on the reactor
 * thread with the delivered value. This is how a coroutine waits on a thread-safe primitive: its
 * continuation puts the coroutine back on its scheduler's run queue.
 *
 * <p>Create and cancel on the reactor thread. While waiting it counts as one of the reactor's wake
 * sources, because another thread may wake it at any time.
 */
public final class TaskWaiter extends Waiter {
  private final Reactor reactor;
  private final Consumer<Object> continuation;

  public TaskWaiter(Reactor reactor, Consumer<Object> continuation) {
    this.reactor = Objects.requireNonNull(reactor, "reactor");
    this.continuation = Objects.requireNonNull(continuation, "continuation");
    reactor.holdWakeSource();
  }

  @Override
  protected void onWake(Object value) {
    reactor.execute(() -> {
      reactor.releaseWakeSource();
      continuation.accept(value);
    });
  }

  @Override
  protected void onCancel() {
    assert reactor.inLoop() : "TaskWaiter cancelled off its reactor";
    reactor.releaseWakeSource();
  }
}
