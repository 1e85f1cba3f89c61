package dev.spindle.kernel.wait;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Test helper: a waiter that counts its callbacks and keeps the delivered value. */
public final class CountingWaiter extends Waiter {
  public final AtomicInteger wakes = new AtomicInteger();
  public final AtomicInteger cancels = new AtomicInteger();
  public final AtomicReference<Object> value = new AtomicReference<>();

  @Override
  protected void onWake(Object v) {
    value.set(v);
    wakes.incrementAndGet();
  }

  @Override
  protected void onCancel() {
    cancels.incrementAndGet();
  }
}
