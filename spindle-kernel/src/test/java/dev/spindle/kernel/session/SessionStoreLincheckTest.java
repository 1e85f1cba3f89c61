package dev.spindle.kernel.session;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck (model checking): concurrent histories of the store's single-entry operations and reset must
 * be explained by some sequential order (the sequential specification is the same class run on one
 * thread). Two keys, so operations on one entry race and operations on different entries interleave;
 * a few values, so increments meet text and test-and-set tests are met and missed. Enumerate and the
 * pool size are not linearizable (see their contracts), so they are not operations here: the pool size
 * is checked against the entries after every run, when nothing is in flight.
 *
 * <p>Seeded bugs this catches (each tried by hand): an increment or a test-and-set that writes without
 * compare-and-set, entry creation by get-then-put, a reset that clears the map entry by entry, and a
 * delete that unlinks the slot without marking it dead first (a racing write then lands on the
 * unlinked slot and its bytes stay counted).
 *
 * <p>Custom scenarios are built with Lincheck's {@code Actor} and {@code ExecutionScenario}
 * constructors, because its scenario DSL takes Kotlin function references.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "value", gen = IntGen.class, conf = "0:2")
@Param(name = "match", gen = BooleanGen.class)
public class SessionStoreLincheckTest {
  /** Values of three different sizes, so that the pool size tells every overwrite apart. */
  private static final String[] VALUES = {"", "1", "xyz"};

  private final InMemorySessionStore store = new InMemorySessionStore();

  private static EntryKey key(int k) {
    return k == 0 ? EntryKey.of("a") : EntryKey.of("g", "s", "a");
  }

  @Operation
  public void set(@Param(name = "key") int k, @Param(name = "value") int v) {
    store.set(key(k), VALUES[v], 1);
  }

  /** The data and the owner: both are determined by the order of the writes. */
  @Operation
  public String get(@Param(name = "key") int k) {
    return store.get(key(k)).map(e -> e.data() + "@" + e.handle()).orElse(null);
  }

  @Operation
  public long increment(@Param(name = "key") int k) {
    return store.increment(key(k), 2);
  }

  @Operation
  public long decrement(@Param(name = "key") int k) {
    return store.decrement(key(k), 3);
  }

  @Operation
  public boolean testAndSet(
      @Param(name = "key") int k,
      @Param(name = "match") boolean match,
      @Param(name = "value") int compare,
      @Param(name = "value") int data) {
    return store.testAndSet(key(k), match, VALUES[compare], VALUES[data], 4);
  }

  @Operation
  public boolean delete(@Param(name = "key") int k) {
    return store.delete(key(k));
  }

  @Operation
  public void reset() {
    store.reset();
  }

  /**
   * Run by Lincheck after every invocation, when no operation is in flight: the pool size must then be
   * exactly what the entries hold (a write that lands on a deleted entry would break this).
   */
  @Validate
  public void poolSizeMatchesEntries() {
    long expected = 0;
    for (Entry e : store.enumerate()) {
      expected +=
          SessionStore.ENTRY_OVERHEAD_BYTES
              + utf8(e.group())
              + utf8(e.section())
              + utf8(e.name())
              + utf8(e.data());
    }
    if (store.poolSize() != expected) {
      throw new IllegalStateException("pool size " + store.poolSize() + ", entries hold " + expected);
    }
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Model checking: Lincheck runs each scenario under many interleavings it chooses, switching threads
   * at shared-memory accesses. Random scenarios, plus hand-written ones for the races that matter and
   * that random generation meets only rarely.
   */
  @Test
  void modelChecking() {
    ModelCheckingOptions options =
        new ModelCheckingOptions()
            .threads(2)
            .actorsPerThread(3)
            .actorsBefore(2)
            .actorsAfter(1)
            .iterations(20)
            .invocationsPerIteration(40);
    for (ExecutionScenario scenario : racesThatMatter()) options.addCustomScenario(scenario);
    options.check(getClass());
  }

  private static final int A = 0;
  private static final int B = 1;
  private static final int EMPTY = 0;
  private static final int ONE = 1;
  private static final int X = 2;

  private static List<ExecutionScenario> racesThatMatter() {
    return List.of(
        // two takers of one token: at most one may win
        scenario(
            List.of(op("set", A, ONE)),
            List.of(
                List.of(op("testAndSet", A, true, ONE, EMPTY)),
                List.of(op("testAndSet", A, true, ONE, X))),
            List.of(op("get", A))),
        // "not equal" test-and-sets racing with a set
        scenario(
            List.of(op("set", A, ONE)),
            List.of(
                List.of(op("testAndSet", A, false, X, X), op("get", A)),
                List.of(op("set", A, EMPTY), op("testAndSet", A, false, EMPTY, ONE))),
            List.of(op("get", A))),
        // two creators of one missing entry
        scenario(
            List.of(),
            List.of(
                List.of(op("increment", A), op("get", A)),
                List.of(op("increment", A), op("testAndSet", A, true, EMPTY, ONE))),
            List.of(op("get", A))),
        scenario(
            List.of(),
            List.of(
                List.of(op("testAndSet", A, true, EMPTY, X), op("testAndSet", A, false, X, X)),
                List.of(op("testAndSet", A, false, EMPTY, ONE), op("decrement", A))),
            List.of(op("get", A))),
        // delete racing with writes to the same entry
        scenario(
            List.of(op("set", A, ONE)),
            List.of(
                List.of(op("delete", A), op("get", A)),
                List.of(op("increment", A), op("increment", A), op("delete", A))),
            List.of(op("get", A))),
        scenario(
            List.of(op("set", A, ONE)),
            List.of(
                List.of(op("delete", A), op("get", A)),
                List.of(op("set", A, X), op("set", A, EMPTY))),
            List.of(op("get", A))),
        scenario(
            List.of(op("set", A, ONE)),
            List.of(
                List.of(op("delete", A), op("testAndSet", A, true, EMPTY, X)),
                List.of(op("testAndSet", A, true, ONE, X), op("set", A, ONE))),
            List.of(op("get", A))),
        // reset is atomic: no reader sees one entry gone and the other still there (both orders)
        scenario(
            List.of(op("set", A, ONE), op("set", B, ONE)),
            List.of(List.of(op("reset")), List.of(op("get", A), op("get", B))),
            List.of()),
        scenario(
            List.of(op("set", A, ONE), op("set", B, ONE)),
            List.of(List.of(op("reset")), List.of(op("get", B), op("get", A))),
            List.of()),
        // reset racing with writes
        scenario(
            List.of(op("set", A, ONE)),
            List.of(
                List.of(op("increment", A), op("increment", B)),
                List.of(op("reset"), op("get", A), op("get", B))),
            List.of(op("get", A))));
  }

  private static ExecutionScenario scenario(
      List<Actor> initial, List<List<Actor>> parallel, List<Actor> post) {
    return new ExecutionScenario(initial, parallel, post, null);
  }

  /** An actor calling the {@code @Operation} method {@code name} of this class. */
  private static Actor op(String name, Object... args) {
    for (Method m : SessionStoreLincheckTest.class.getMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length) {
        return new Actor(m, List.of(args));
      }
    }
    throw new IllegalArgumentException("no operation " + name + "/" + args.length);
  }
}
