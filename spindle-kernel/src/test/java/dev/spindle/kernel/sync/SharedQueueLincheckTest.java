package dev.spindle.kernel.sync;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck (model checking): concurrent histories of a bounded FIFO {@link SharedQueue} must be explained
 * by some sequential order of the same operations on one thread. Capacity 2, so puts meet a full queue and
 * gets an empty one. {@code put} and {@code take} with a zero timeout register a waiter and give up at
 * once, so they race the hand-off of the operations on the other thread: an offer handing its item to the
 * taker as the taker gives up, a poll admitting the putter's item as the putter gives up.
 *
 * <p>Seeded bugs this catches (each tried by hand): an offer that ignores a failed wake of the getter (the
 * item is lost), an unregisterPut that always reports the item withdrawn (the put returns false although
 * its item was admitted).
 */
@Param(name = "item", gen = IntGen.class, conf = "1:3")
public class SharedQueueLincheckTest {
  private final SharedQueue queue = SharedQueue.fifo(2);

  @Operation
  public boolean offer(@Param(name = "item") int item) {
    return queue.offer(item);
  }

  @Operation
  public Integer poll() {
    return item(queue.poll());
  }

  @Operation
  public boolean put(@Param(name = "item") int item) throws InterruptedException {
    return queue.put(item, Duration.ZERO);
  }

  @Operation
  public Integer take() throws InterruptedException {
    return item(queue.take(Duration.ZERO));
  }

  @Operation
  public int size() {
    return queue.size();
  }

  private static Integer item(Object x) {
    return x == SharedQueue.EMPTY ? null : (Integer) x;
  }

  /** After every invocation, when nothing is in flight: never more than maxsize items. */
  @Validate
  public void withinBound() {
    if (queue.size() > 2) throw new IllegalStateException("size " + queue.size() + " > maxsize 2");
  }

  /**
   * Model checking: Lincheck runs each scenario under many interleavings it chooses, switching threads at
   * shared-memory accesses. Random scenarios, then hand-written ones for the wake/cancel races, which need
   * three switches at the right places and so more invocations than random scenarios get.
   */
  @Test
  void modelChecking() {
    new ModelCheckingOptions()
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(2)
        .iterations(10)
        .invocationsPerIteration(40)
        .check(getClass());
    ModelCheckingOptions races = new ModelCheckingOptions().iterations(0).invocationsPerIteration(300);
    for (ExecutionScenario scenario : racesThatMatter()) races.addCustomScenario(scenario);
    races.check(getClass());
  }

  private static List<ExecutionScenario> racesThatMatter() {
    return List.of(
        // a taker giving up on an empty queue while an item arrives for it
        scenario(
            List.of(),
            List.of(List.of(op("take"), op("poll")), List.of(op("offer", 1), op("offer", 2))),
            List.of(op("poll"), op("poll"))),
        // a putter giving up on a full queue while a get admits its item
        scenario(
            List.of(op("offer", 1), op("offer", 2)),
            List.of(List.of(op("put", 3), op("size")), List.of(op("poll"), op("offer", 1))),
            List.of(op("poll"), op("poll"), op("poll"))),
        // two putters on a full queue, two getters
        scenario(
            List.of(op("offer", 1), op("offer", 2)),
            List.of(List.of(op("put", 3), op("take")), List.of(op("take"), op("put", 1))),
            List.of(op("poll"), op("poll"), op("poll"))));
  }

  private static ExecutionScenario scenario(List<Actor> initial, List<List<Actor>> parallel, List<Actor> post) {
    return new ExecutionScenario(initial, parallel, post, null);
  }

  /** An actor calling the {@code @Operation} method {@code name} of this class. */
  private static Actor op(String name, Object... args) {
    for (Method m : SharedQueueLincheckTest.class.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length) return new Actor(m, List.of(args));
    }
    throw new IllegalArgumentException("no operation " + name + "/" + args.length);
  }
}
