package dev.spindle;

import dev.spindle.kernel.signal.SignalHub;
import dev.spindle.kernel.signal.SignalListener;
import party.iroiro.luajava.Lua;

/**
 * The host functions behind cqueues.signal ({@code spindle/cqueues/signal.lua}). The state's listeners and
 * dispositions live in one {@link SignalHub.Scope} of the JVM's hub, made on first use and registered in
 * the state's handles, so that they all go when the state closes. Signal numbers arrive checked (1..64).
 *
 * <p>Concurrency: reactor only.
 */
final class SignalLib {
  private final LuaHost host;
  private SignalHub.Scope scope; // reactor only; null until first used

  private SignalLib(LuaHost host) {
    this.host = host;
  }

  static void push(Lua lua, LuaHost host) {
    SignalLib lib = new SignalLib(host);
    LuaHostLib.set(lua, "sig_listen", l -> {
      l.push(host.handles().add(lib.scope().listen(signals(l, 1))));
      return 1;
    });
    LuaHostLib.set(lua, "sig_get", l -> {
      SignalListener s = host.handles().get(l.toInteger(1), SignalListener.class);
      int sig = s == null ? 0 : s.poll();
      if (sig == 0) l.pushNil();
      else l.push(sig);
      return 1;
    });
    LuaHostLib.set(lua, "sig_set", l -> {
      SignalHub.Scope s = lib.scope();
      int[] sigs = signals(l, 2);
      switch (l.toString(1)) {
        case "block" -> s.block(sigs);
        case "unblock" -> s.unblock(sigs);
        case "ignore", "discard" -> s.ignore(sigs);
        case "default" -> s.reset(sigs);
        default -> throw new IllegalArgumentException("sig_set: unknown disposition " + l.toString(1));
      }
      return 0;
    });
    LuaHostLib.set(lua, "sig_raise", l -> {
      for (int sig : signals(l, 1)) SignalHub.process().raise(sig);
      return 0;
    });
  }

  private SignalHub.Scope scope() {
    if (scope == null) {
      scope = SignalHub.process().newScope();
      host.handles().add(scope);
    }
    return scope;
  }

  private static int[] signals(Lua l, int from) {
    int n = Math.max(0, l.getTop() - from + 1);
    int[] sigs = new int[n];
    for (int i = 0; i < n; i++) sigs[i] = (int) l.toInteger(from + i);
    return sigs;
  }
}
