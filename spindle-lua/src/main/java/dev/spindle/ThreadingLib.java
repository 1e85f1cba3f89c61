package dev.spindle;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.sync.Condition;
import dev.spindle.kernel.sync.Event;
import dev.spindle.kernel.sync.Lock;
import dev.spindle.kernel.sync.Promise;
import dev.spindle.kernel.sync.RLock;
import dev.spindle.kernel.sync.Semaphore;
import dev.spindle.kernel.sync.SharedQueue;
import dev.spindle.kernel.wait.TaskWaiter;
import dev.spindle.kernel.wait.Waiter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import party.iroiro.luajava.Lua;

/**
 * The host side of threading, queue and concurrent.futures: the thread-safe primitives of
 * dev.spindle.kernel.sync, reached by handle. {@code K.sy(op, ...)}:
 *
 * <ul>
 *   <li>{@code new, kind, ...} → handle; {@code adopt, global id} → handle of a primitive another state
 *       shared; {@code share, h} → its global id.
 *   <li>{@code try, h, what, ...} → the result of an operation that never waits.
 *   <li>{@code wait, h, what, ...} → {@code true, value} when done at once, else {@code false, event id}:
 *       the event fires with the value when done (the calling coroutine blocks on it).
 *   <li>{@code cancel, event id} → true if the wait was withdrawn (its timeout won), false if it completed
 *       meanwhile and its value is on the way: nothing handed over is lost.
 * </ul>
 *
 * <p>Queue items and promise values cross as the bytes of spindle/copy.lua's encoding, so any state can
 * take them; a queue item that is a number crosses as itself (a Long for an integer, a Double for a float),
 * which any state takes back as the same number without decoding. Priority queues order by a key the Lua
 * side computes (a number or a string).
 *
 * <p>Concurrency: the functions run on the reactor thread; the primitives themselves are thread-safe and
 * shared between states through {@link Spindle#share}.
 */
final class ThreadingLib {
  /**
   * A queued item: a number as itself (Long, Double) or anything else as its copy-encoded bytes (byte[]); its
   * priority key (a Double, a String, or null).
   */
  record Item(Object value, Comparable<Object> key, long seq) {}

  private static final java.util.concurrent.atomic.AtomicLong SEQ = new java.util.concurrent.atomic.AtomicLong();

  /** A registered wait: its waiter, and how to withdraw it (true: withdrawn, nothing happened). */
  private record Pending(TaskWaiter waiter, Predicate<Waiter> withdraw) {}

  private final LuaHost host;
  private final Reactor reactor;
  private final Map<Integer, Pending> waits = new HashMap<>(); // reactor only: event id -> wait
  private final Map<Long, Object> owners = new HashMap<>(); // reactor only: script thread id -> owner token

  private ThreadingLib(LuaHost host) {
    this.host = host;
    this.reactor = host.reactor();
  }

  static void push(Lua lua, LuaHost host) {
    ThreadingLib lib = new ThreadingLib(host);
    LuaHostLib.set(lua, "sy", lib::call);
  }

  private int call(Lua l) {
    String op = l.toString(1);
    try {
      return switch (op) {
        case "new" -> created(l, make(l));
        case "adopt" -> {
          Object o = host.spindle().shared(l.toInteger(2));
          if (o == null) throw new IllegalArgumentException("no shared object " + l.toInteger(2));
          yield created(l, o);
        }
        case "share" -> {
          l.push(host.spindle().share(object(l, 2)));
          yield 1;
        }
        case "try" -> now(l, object(l, 2), l.toString(3));
        case "wait" -> await(l, object(l, 2), l.toString(3));
        case "cancel" -> {
          Pending p = waits.remove((int) l.toInteger(2));
          l.push(p != null && p.waiter.cancel() && p.withdraw.test(p.waiter));
          yield 1;
        }
        case "release" -> {
          host.handles().remove(l.toInteger(2));
          yield 0;
        }
        default -> throw new IllegalArgumentException("unknown operation " + op);
      };
    } catch (IllegalStateException | IllegalArgumentException e) {
      l.pushNil();
      LuaValues.push(l, e.getMessage());
      return 2;
    }
  }

  private int created(Lua l, Object o) {
    l.push(host.handles().add(o));
    l.push(o.getClass().getSimpleName());
    return 2;
  }

  private Object make(Lua l) {
    return switch (l.toString(2)) {
      case "lock" -> new Lock();
      case "rlock" -> new RLock();
      case "semaphore" -> new Semaphore((int) l.toInteger(3), l.toBoolean(4));
      case "event" -> new Event();
      case "condition" -> {
        Object lock = object(l, 3);
        yield lock instanceof RLock r ? new Condition(r) : new Condition((Lock) lock);
      }
      case "queue" -> {
        int max = (int) l.toInteger(4);
        yield switch (l.toString(3)) {
          case "lifo" -> SharedQueue.lifo(max);
          case "priority" -> SharedQueue.priority(max, ThreadingLib::compare);
          default -> SharedQueue.fifo(max);
        };
      }
      case "promise" -> new Promise();
      default -> throw new IllegalArgumentException("unknown kind " + l.toString(2));
    };
  }

  @SuppressWarnings("unchecked")
  private static int compare(Object a, Object b) {
    Item x = (Item) a, y = (Item) b;
    if (x.key != null && y.key != null && x.key.getClass() == y.key.getClass()) {
      int c = x.key.compareTo(y.key);
      if (c != 0) return c;
    } else if (x.key != null || y.key != null) {
      // numbers before strings before keyless items: a total order, so the heap stays consistent
      int c = Integer.compare(rank(x.key), rank(y.key));
      if (c != 0) return c;
    }
    return Long.compare(x.seq, y.seq);
  }

  private static int rank(Object key) {
    return key instanceof Double ? 0 : key instanceof String ? 1 : 2;
  }

  private Object object(Lua l, int idx) {
    Object o = host.handles().get(l.toInteger(idx), Object.class);
    if (o == null) throw new IllegalArgumentException("object released");
    return o;
  }

  private Object owner(Lua l, int idx) {
    return owners.computeIfAbsent(l.toInteger(idx), k -> new Object());
  }

  /** The item at {@code idx}, with the priority key at {@code idx + 1}. */
  @SuppressWarnings("unchecked")
  private static Item item(Lua l, int idx) {
    Object key = l.isNumber(idx + 1) ? (Object) l.toNumber(idx + 1) : l.isString(idx + 1) ? LuaValues.string(l, idx + 1) : null;
    return new Item(value(l, idx), (Comparable<Object>) key, SEQ.incrementAndGet());
  }

  /** An item's value as the Lua side passes it: a number as itself, anything else as its copy-encoded bytes. */
  private static Object value(Lua l, int idx) {
    if (l.type(idx) == Lua.LuaType.NUMBER) {
      return l.isInteger(idx) ? (Object) l.toInteger(idx) : (Object) l.toNumber(idx);
    }
    ByteBuffer b = l.toDirectBuffer(idx);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  /**
   * Offers the values {@code t[from..#t]} of the list at {@code idx} (items as {@link #value} reads them, no
   * priority key) in order, until one does not fit; returns how many were accepted.
   */
  private static long offerFrom(SharedQueue q, Lua l, int idx, long from) {
    long n = 0;
    for (long i = from, len = l.rawLength(idx); i <= len; i++) {
      l.rawGetI(idx, (int) i);
      Item it = new Item(value(l, -1), null, SEQ.incrementAndGet());
      l.pop(1);
      if (!q.offer(it)) break;
      n++;
    }
    return n;
  }

  /** Takes up to {@code max} items that are there now, in order; null if there are none. */
  private static List<Object> pollUpTo(SharedQueue q, long max) {
    List<Object> got = null;
    for (long i = 0; i < max; i++) {
      Object v = q.poll();
      if (v == SharedQueue.EMPTY) break;
      if (got == null) got = new ArrayList<>((int) Math.min(max, 256));
      got.add(((Item) v).value);
    }
    return got;
  }

  /** Operations that never wait. */
  private int now(Lua l, Object o, String what) {
    Object r = switch (o) {
      case Lock k -> switch (what) {
        case "acquire" -> k.tryAcquire();
        case "release" -> {
          k.release();
          yield true;
        }
        default -> k.isLocked();
      };
      case RLock k -> switch (what) {
        case "acquire" -> k.tryAcquire(owner(l, 4));
        case "release" -> {
          k.release(owner(l, 4));
          yield true;
        }
        default -> k.owner() != null;
      };
      case Semaphore s -> switch (what) {
        case "acquire" -> s.tryAcquire();
        case "release" -> {
          s.release((int) l.toInteger(4));
          yield true;
        }
        default -> (long) s.available();
      };
      case Event e -> switch (what) {
        case "set" -> {
          e.set();
          yield true;
        }
        case "clear" -> {
          e.clear();
          yield true;
        }
        default -> e.isSet();
      };
      case Condition c -> switch (what) {
        case "notify" -> (long) c.notify(owner(l, 4), (int) l.toInteger(5));
        default -> (long) c.notifyAll(owner(l, 4));
      };
      case SharedQueue q -> switch (what) {
        case "put" -> q.offer(item(l, 4));
        case "get" -> {
          Object v = q.poll();
          yield v == SharedQueue.EMPTY ? null : ((Item) v).value;
        }
        case "put_many" -> offerFrom(q, l, 4, l.toInteger(5));
        case "get_many" -> pollUpTo(q, l.toInteger(4));
        case "task_done" -> {
          q.taskDone();
          yield true;
        }
        case "full" -> q.isFull();
        default -> (long) q.size();
      };
      case Promise p -> switch (what) {
        case "fulfill" -> p.fulfill(item(l, 4));
        case "reject" -> p.reject(item(l, 4));
        case "cancel" -> p.cancel();
        case "start" -> p.start();
        case "value" -> p.state() == Promise.State.FULFILLED ? ((Item) p.value()).value
            : p.state() == Promise.State.REJECTED ? ((Item) p.reason()).value : null;
        default -> p.state().name().toLowerCase();
      };
      default -> throw new IllegalArgumentException("not a primitive");
    };
    LuaValues.push(l, r);
    return 1;
  }

  /** Operations that may wait. */
  private int await(Lua l, Object o, String what) {
    return switch (o) {
      case Lock k -> begin(l, w -> k.register(w) ? Boolean.TRUE : null, w -> {
        k.unregister(w);
        return true;
      });
      case RLock k -> {
        Object owner = owner(l, 4);
        yield begin(l, w -> k.register(w, owner) ? Boolean.TRUE : null, w -> {
          k.unregister(w);
          return true;
        });
      }
      case Semaphore s -> begin(l, w -> s.register(w) ? Boolean.TRUE : null, w -> {
        s.unregister(w);
        return true;
      });
      case Event e -> begin(l, w -> e.register(w) ? Boolean.TRUE : null, w -> {
        e.unregister(w);
        return true;
      });
      case Condition c -> {
        Object owner = owner(l, 4);
        if (what.equals("wait")) {
          int[] saved = new int[1];
          int r = begin(l, w -> {
            saved[0] = c.beginWait(w, owner);
            return null;
          }, w -> {
            c.unregister(w);
            return true;
          });
          l.push(saved[0]);
          yield r + 1;
        }
        int saved = (int) l.toInteger(5);
        yield begin(l, w -> c.reacquire(w, owner, saved) ? Boolean.TRUE : null, w -> {
          c.unregister(w);
          return true;
        });
      }
      case SharedQueue q -> switch (what) {
        // put and get try first without a waiter (the usual case for a queue that is neither full nor empty)
        case "put" -> {
          Item it = item(l, 4);
          yield q.offer(it) ? done(l, Boolean.TRUE)
              : begin(l, w -> q.registerPut(w, it) ? Boolean.TRUE : null, q::unregisterPut);
        }
        case "join" -> begin(l, w -> q.registerJoin(w) ? Boolean.TRUE : null, w -> {
          q.unregisterJoin(w);
          return true;
        });
        default -> {
          Object now = q.poll();
          yield now != SharedQueue.EMPTY ? done(l, now) : begin(l, w -> {
            Object v = q.registerGet(w);
            return v == SharedQueue.EMPTY ? null : v;
          }, w -> {
            q.unregisterGet(w);
            return true;
          });
        }
      };
      case Promise p -> begin(l, w -> p.register(w) ? Boolean.TRUE : null, w -> {
        p.unregister(w);
        return true;
      });
      default -> throw new IllegalArgumentException("not a primitive");
    };
  }

  /**
   * Registers a waiter with {@code register}, which returns the result when the operation completed at
   * once (the waiter was not queued) or null when the waiter was queued.
   */
  private int begin(Lua l, Function<Waiter, Object> register, Predicate<Waiter> withdraw) {
    int id = host.newEvent();
    TaskWaiter w = new TaskWaiter(reactor, v -> {
      waits.remove(id);
      host.post(id, v instanceof Item it ? it.value : v);
    });
    Object done;
    try {
      done = register.apply(w);
    } catch (RuntimeException e) {
      w.cancel();
      throw e;
    }
    if (done != null) {
      w.cancel(); // never queued: gives its wake source back
      return done(l, done);
    }
    waits.put(id, new Pending(w, withdraw));
    l.push(false);
    l.push(id);
    return 2;
  }

  /** The results of a wait that completed at once: true and its value (an item's number or bytes). */
  private static int done(Lua l, Object value) {
    l.push(true);
    LuaValues.push(l, value instanceof Item it ? it.value : value);
    return 2;
  }
}
