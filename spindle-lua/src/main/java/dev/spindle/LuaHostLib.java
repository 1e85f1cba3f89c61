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
    set(lua, "monotime", l -> {
      l.push(System.nanoTime() / 1e9);
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
    pushScriptLib(lua, host);
    DnsLib dns = DnsLib.push(lua, host);
    SocketLib.push(lua, host, dns::system);
    OpenSslLib.push(lua, host);
    ThreadingLib.push(lua, host);
    AwaitLib.push(lua, host);
    SignalLib.push(lua, host);
    NotifyLib.push(lua, host);
  }

  /** The script and session functions; results follow the (ok, value...) or (nil, message) shapes. */
  private static void pushScriptLib(Lua lua, LuaHost host) {
    Spindle spindle = host.spindle();
    set(lua, "script_start", l -> {
      String path = LuaValues.string(l, 1);
      byte[] args = bytes(l, 2);
      try {
        l.push(spindle.startBackground(host, resolve(host, path), args).handle());
        return 1;
      } catch (IllegalArgumentException | IllegalStateException e) {
        l.pushNil();
        l.push(e.getMessage());
        return 2;
      }
    });
    set(lua, "iso_start", l -> {
      byte[] source = bytes(l, 2);
      byte[] args = bytes(l, 3);
      l.push(spindle.startIsolated(host, LuaValues.string(l, 1), source, args).handle());
      return 1;
    });
    set(lua, "script_wait", l -> {
      LuaHost other = spindle.lookup(l.toInteger(1));
      if (other == null) return noScript(l);
      if (other.result().isDone()) {
        l.push(true);
        return 1;
      }
      l.push(false);
      l.push(host.awaitRun(other, l.toInteger(2)));
      return 2;
    });
    set(lua, "script_status", l -> {
      LuaHost other = spindle.lookup(l.toInteger(1));
      if (other == null) return noScript(l);
      var r = other.readResult();
      if (!r.isDone()) {
        l.push("running");
        return 1;
      }
      if (!r.isCompletedExceptionally()) {
        l.push("done");
        return 1;
      }
      l.push("failed");
      try {
        r.join();
        l.pushNil();
      } catch (java.util.concurrent.CompletionException e) {
        LuaValues.push(l, e.getCause() instanceof ScriptException se ? se.traceback() : String.valueOf(e.getCause()));
      }
      return 2;
    });
    set(lua, "script_info", l -> {
      switch (l.toString(1)) {
        case "handle" -> l.push(host.handle());
        case "background" -> l.push(host.inBackground());
        case "elapsed" -> l.push(host.elapsedMillis());
        default -> LuaValues.push(l, host.script().dir() == null ? null : host.script().dir().toString());
      }
      return 1;
    });
    set(lua, "session", l -> SessionLib.call(l, spindle.sessionStore(), host.handle()));
  }

  private static byte[] bytes(Lua l, int idx) {
    ByteBuffer b = l.toDirectBuffer(idx);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static int noScript(Lua l) {
    l.pushNil();
    l.push("no script with handle " + l.toInteger(1));
    return 2;
  }

  /** A relative path is relative to the calling script's directory. */
  private static java.nio.file.Path resolve(LuaHost host, String path) {
    java.nio.file.Path p = java.nio.file.Path.of(path);
    java.nio.file.Path dir = host.script().dir();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p);
  }

  static void set(Lua lua, String name, JFunction f) {
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
