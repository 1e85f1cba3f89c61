package dev.spindle;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import party.iroiro.luajava.Lua;

/** Converts Lua values on a stack to Java values, byte-exact for strings. */
final class LuaValues {
  private static final int MAX_DEPTH = 32;

  private LuaValues() {}

  /** The string at {@code idx} decoded as UTF-8 (Lua strings are bytes; JNI's modified UTF-8 is not used). */
  static String string(Lua lua, int idx) {
    ByteBuffer b = lua.toBuffer(idx);
    if (b == null) return null;
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * nil → null, booleans, integers → Long, floats → Double, strings → String, tables → Map (keys and
   * values converted; nesting deeper than 32 levels, or a cycle, ends in the string 'table'),
   * anything else → its type name.
   */
  static Object toJava(Lua lua, int idx) {
    return toJava(lua, idx < 0 ? lua.getTop() + 1 + idx : idx, 0);
  }

  private static Object toJava(Lua lua, int idx, int depth) {
    return switch (lua.type(idx)) {
      case NIL, NONE -> null;
      case BOOLEAN -> lua.toBoolean(idx);
      case NUMBER -> lua.isInteger(idx) ? (Object) lua.toInteger(idx) : (Object) lua.toNumber(idx);
      case STRING -> string(lua, idx);
      case TABLE -> depth >= MAX_DEPTH ? describe(lua, idx) : table(lua, idx, depth);
      default -> describe(lua, idx);
    };
  }

  private static Map<Object, Object> table(Lua lua, int idx, int depth) {
    Map<Object, Object> map = new LinkedHashMap<>();
    lua.pushNil();
    while (lua.next(idx) != 0) {
      int top = lua.getTop();
      map.put(toJava(lua, top - 1, depth + 1), toJava(lua, top, depth + 1));
      lua.pop(1);
    }
    return map;
  }

  /**
   * Pushes null, Boolean, Long/Integer, Double, String (as UTF-8 bytes), byte[] (as those bytes) or a List
   * (as an array).
   */
  static void push(Lua lua, Object v) {
    switch (v) {
      case null -> lua.pushNil();
      case Boolean b -> lua.push(b);
      case Long l -> lua.push(l.longValue());
      case Integer i -> lua.push(i.longValue());
      case Double d -> lua.push(d);
      case String s -> pushBytes(lua, s.getBytes(StandardCharsets.UTF_8));
      case byte[] b -> pushBytes(lua, b);
      case java.util.List<?> list -> {
        lua.createTable(list.size(), 0);
        for (int i = 0; i < list.size(); i++) {
          push(lua, list.get(i));
          lua.rawSetI(-2, i + 1);
        }
      }
      default -> throw new IllegalArgumentException("cannot push a " + v.getClass().getName());
    }
  }

  /** Strings up to this size are staged in the thread's scratch buffer; larger ones get their own. */
  private static final int SCRATCH_MAX = 64 * 1024;

  /** Per thread: the direct buffer that bytes pass through on their way into a Lua string. */
  private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256));

  /**
   * Pushes {@code bytes} as a Lua string. lua_pushlstring copies them before anything else can run on this
   * thread, so a small string goes through one reused direct buffer per thread instead of a direct buffer
   * allocated (and later freed by a Cleaner) for every push: that allocation was most of the cost of handing
   * a queue item or a copied value to Lua.
   */
  static void pushBytes(Lua lua, byte[] bytes) {
    if (bytes.length > SCRATCH_MAX) {
      lua.push(LuaHost.direct(bytes));
      return;
    }
    ByteBuffer b = SCRATCH.get();
    if (b.capacity() < bytes.length) {
      b = ByteBuffer.allocateDirect(Math.min(SCRATCH_MAX, Math.max(bytes.length, 2 * b.capacity())));
      SCRATCH.set(b);
    }
    b.clear();
    b.put(bytes).flip();
    lua.push(b);
  }

  private static String describe(Lua lua, int idx) {
    return lua.type(idx).name().toLowerCase();
  }
}
