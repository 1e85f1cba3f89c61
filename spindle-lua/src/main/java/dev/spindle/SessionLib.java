package dev.spindle;

import dev.spindle.kernel.session.Entry;
import dev.spindle.kernel.session.EntryKey;
import dev.spindle.kernel.session.SessionStore;
import dev.spindle.kernel.session.SessionValueException;
import java.util.ArrayList;
import java.util.List;
import party.iroiro.luajava.Lua;

/**
 * The host side of the session module: {@code K.session(op, group, section, name, ...)} returns {@code
 * true, result} or {@code false, message}; session.lua turns the message into an error naming the
 * function. Writes are recorded with the calling script's handle.
 */
final class SessionLib {
  private SessionLib() {}

  static int call(Lua l, SessionStore store, long handle) {
    String op = l.toString(1);
    try {
      Object r = switch (op) {
        case "reset" -> {
          store.reset();
          yield null;
        }
        case "pool_size" -> store.poolSize();
        case "enumerate" -> {
          List<Object> flat = new ArrayList<>();
          for (Entry e : store.enumerate()) {
            flat.addAll(List.of(e.group(), e.section(), e.name(), e.data(), e.handle(), e.timeStamp()));
          }
          yield flat;
        }
        default -> entry(l, op, store, handle, new EntryKey(str(l, 2), str(l, 3), str(l, 4)));
      };
      l.push(true);
      LuaValues.push(l, r);
      return 2;
    } catch (IllegalArgumentException | SessionValueException e) {
      l.push(false);
      LuaValues.push(l, e.getMessage());
      return 2;
    }
  }

  private static Object entry(Lua l, String op, SessionStore store, long handle, EntryKey key) {
    return switch (op) {
      case "set" -> {
        store.set(key, str(l, 5), handle);
        yield null;
      }
      case "get" -> store.get(key).map(Entry::data).orElse(null);
      case "increment" -> store.increment(key, handle);
      case "decrement" -> store.decrement(key, handle);
      case "test_and_set" -> store.testAndSet(key, l.toBoolean(5), str(l, 6), str(l, 7), handle);
      case "delete" -> store.delete(key);
      default -> throw new IllegalArgumentException("unknown operation " + op);
    };
  }

  private static String str(Lua l, int idx) {
    return l.isNil(idx) || l.isNone(idx) ? null : LuaValues.string(l, idx);
  }
}
