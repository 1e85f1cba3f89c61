package dev.spindle;

import dev.spindle.kernel.fs.DirectoryWatch;
import dev.spindle.kernel.net.Errno;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import party.iroiro.luajava.Lua;

/**
 * The host functions behind cqueues.notify ({@code spindle/cqueues/notify.lua}): directory watches made
 * on the runtime's {@link dev.spindle.kernel.fs.FileWatcher} and held in the state's handles, so they
 * close with the state. Waiting goes through {@link AwaitLib}.
 *
 * <p>Concurrency: reactor only.
 */
final class NotifyLib {
  private NotifyLib() {}

  static void push(Lua lua, LuaHost host) {
    LuaHostLib.set(lua, "nfy_open", l -> {
      String path = LuaValues.string(l, 1);
      try {
        DirectoryWatch w = host.spindle().fileWatcher().watch(Path.of(path));
        l.push(host.handles().add(w));
        return 1;
      } catch (IOException | InvalidPathException e) {
        l.pushNil();
        l.push(e instanceof IOException io ? Errno.of(io) : Errno.ENOENT);
        return 2;
      }
    });
    LuaHostLib.set(lua, "nfy_add", l -> {
      DirectoryWatch w = host.handles().get(l.toInteger(1), DirectoryWatch.class);
      l.push(w == null ? Errno.EBADF : w.add(LuaValues.string(l, 2), (int) l.toInteger(3)));
      return 1;
    });
    LuaHostLib.set(lua, "nfy_get", l -> {
      DirectoryWatch w = host.handles().get(l.toInteger(1), DirectoryWatch.class);
      DirectoryWatch.Change c = w == null ? null : w.poll();
      if (c == null) return 0;
      l.push(c.flags());
      LuaValues.push(l, c.name());
      return 2;
    });
  }
}
