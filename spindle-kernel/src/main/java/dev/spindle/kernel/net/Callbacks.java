package dev.spindle.kernel.net;

import java.util.ArrayList;
import java.util.List;

/**
 * One-shot callbacks waiting for a socket to change: each runs once, at the next {@link #fire}, unless
 * removed first. Reactor only.
 */
final class Callbacks {
  private final List<Runnable> list = new ArrayList<>(2); // reactor only

  void add(Runnable r) {
    list.add(r);
  }

  boolean remove(Runnable r) {
    return list.remove(r);
  }

  /** Runs and forgets every callback; those added while running wait for the next fire. */
  void fire() {
    if (list.isEmpty()) return;
    Runnable[] rs = list.toArray(new Runnable[0]);
    list.clear();
    for (Runnable r : rs) r.run();
  }
}
