package dev.spindle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;

/**
 * The host functions a Lua state gets (the table {@code K} that prelude.lua receives and keeps private):
 * timers, the clock, output, and Spindle's own Lua sources from the class path. All run on the reactor
 * thread, called from Lua.
 */
final class LuaHostLib {
  private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  private static final Map<String, byte[]> SOURCES = new ConcurrentHashMap<>(); // resource path -> bytes
  private static final byte[] MISSING = new byte[0];

  private LuaHostLib() {}

  /** Pushes the host table for {@code host} onto {@code lua}'s stack. */
  static void push(Lua lua, LuaHost host) {
    lua.createTable(0, 8);
    set(lua, "timer", l -> {
      l.push(host.armTimer(checkMillis(l)));
      return 1;
    });
    set(lua, "cancel", l -> {
      host.cancelTimer((int) l.toInteger(1));
      return 0;
    });
    set(lua, "clock", l -> {
      l.push(LuaHost.clock());
      return 1;
    });
    set(lua, "out", l -> {
      host.write(l.toBuffer(1));
      return 0;
    });
    set(lua, "source", l -> pushSource(l, "spindle/" + l.toString(1) + ".lua"));
    set(lua, "libsource", l -> {
      String name = l.toString(1);
      if (name == null || !MODULE_NAME.matcher(name).matches()) {
        l.pushNil();
        return 1;
      }
      return pushSource(l, "spindle/lib/" + name.replace('.', '/') + ".lua");
    });
  }

  private static void set(Lua lua, String name, JFunction f) {
    lua.push(f);
    lua.setField(-2, name);
  }

  private static long checkMillis(Lua l) {
    long ms = l.toInteger(1);
    if (ms < 0) throw new IllegalArgumentException("timer: ms < 0: " + ms);
    return ms;
  }

  private static int pushSource(Lua l, String path) {
    byte[] src = SOURCES.computeIfAbsent(path, LuaHostLib::read);
    if (src == MISSING) l.pushNil();
    else l.push(LuaHost.direct(src));
    return 1;
  }

  /** The bytes of a class-path resource; throws if it is missing. */
  static ByteBuffer resource(String path) {
    byte[] src = SOURCES.computeIfAbsent(path, LuaHostLib::read);
    if (src == MISSING) throw new IllegalStateException("missing resource " + path);
    return LuaHost.direct(src);
  }

  private static byte[] read(String path) {
    try (InputStream in = LuaHostLib.class.getClassLoader().getResourceAsStream(path)) {
      return in == null ? MISSING : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
