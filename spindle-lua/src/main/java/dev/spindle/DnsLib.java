package dev.spindle;

import dev.spindle.kernel.net.Errno;
import dev.spindle.kernel.net.HostsTable;
import dev.spindle.kernel.net.Resolver;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import party.iroiro.luajava.Lua;

/**
 * The host functions behind cqueues.dns.resolver ({@code spindle/cqueues/dns/resolver.lua} holds the
 * cqueues semantics: type names, the query loop, polling). A Lua resolver is one {@link Resolver} with at
 * most one lookup in flight, as in cqueues: submit starts it, fetch takes its answer, and a wait registers
 * an event that fires when it ends.
 *
 * <p>Concurrency: reactor only.
 */
final class DnsLib {
  private final LuaHost host;
  private final HostWaits waits;
  private Resolver system; // reactor only: the system's resolver for sockets, made on first use

  /** A resolver of one Lua object and its current lookup (null when none, or once fetched). */
  private static final class Slot implements AutoCloseable {
    final Resolver resolver;
    Resolver.Lookup lookup;

    Slot(Resolver resolver) {
      this.resolver = resolver;
    }

    @Override
    public void close() {
      resolver.close();
    }
  }

  private DnsLib(LuaHost host) {
    this.host = host;
    this.waits = new HostWaits(host);
  }

  /** Registers the dns_* functions; returns the library, whose {@link #system} serves socket connects. */
  static DnsLib push(Lua lua, LuaHost host) {
    DnsLib lib = new DnsLib(host);
    LuaHostLib.set(lua, "dns_open", lib::open);
    LuaHostLib.set(lua, "dns_submit", lib::submit);
    LuaHostLib.set(lua, "dns_fetch", lib::fetch);
    LuaHostLib.set(lua, "dns_wait", lib::await);
    LuaHostLib.set(lua, "dns_unwait", l -> {
      lib.waits.withdraw((int) l.toInteger(2));
      return 0;
    });
    LuaHostLib.set(lua, "dns_cancel", l -> {
      Slot s = lib.slot(l);
      if (s != null && s.lookup != null) s.lookup.fireAll();
      return 0;
    });
    LuaHostLib.set(lua, "dns_close", l -> {
      if (host.handles().remove(l.toInteger(1)) instanceof Slot s) s.close();
      return 0;
    });
    return lib;
  }

  /** The resolver of the system's configuration, for connecting sockets by name. */
  Resolver system() {
    if (system == null) {
      system = Resolver.open(host.reactor(), Resolver.Options.system());
      host.handles().add(system); // closed with the state
    }
    return system;
  }

  private Slot slot(Lua l) {
    return host.handles().get(l.toInteger(1), Slot.class);
  }

  /**
   * dns_open{ nameserver = {{ip, port}...}, search = {...}, ndots, timeout, attempts, recurse, hosts =
   * {files = {...}, entries = {{ip, name, alias}...}} or nil (the system's), file, bind, interface = {ip, port}
   * or nil } -> handle
   */
  private int open(Lua l) {
    Map<?, ?> o = (Map<?, ?>) LuaValues.toJava(l, 1);
    List<InetSocketAddress> servers = new ArrayList<>();
    for (Object ns : list(o.get("nameserver"))) servers.add(address(ns));
    List<String> search = new ArrayList<>();
    for (Object d : list(o.get("search"))) search.add(String.valueOf(d));
    HostsTable hosts = Boolean.FALSE.equals(o.get("file")) ? HostsTable.EMPTY : hosts(o.get("hosts"));
    Resolver.Options opts = new Resolver.Options(servers, search, number(o.get("ndots"), 1),
        number(o.get("timeout"), 5) * 1000L, number(o.get("attempts"), 2), !Boolean.TRUE.equals(o.get("recurse")),
        hosts, !Boolean.FALSE.equals(o.get("bind")), o.get("interface") == null ? null : address(o.get("interface")));
    l.push(host.handles().add(new Slot(Resolver.open(host.reactor(), opts))));
    return 1;
  }

  /** {ip, port} as a socket address; the ip must be a literal (no lookup here). */
  private static InetSocketAddress address(Object ipPort) {
    List<Object> hp = list(ipPort);
    InetAddress a = NetUtil.createInetAddressFromIpAddressString(String.valueOf(hp.get(0)));
    if (a == null) throw new IllegalArgumentException(hp.get(0) + ": Invalid textual address form");
    return new InetSocketAddress(a, ((Number) hp.get(1)).intValue());
  }

  private static HostsTable hosts(Object spec) {
    if (!(spec instanceof Map<?, ?> m)) return HostsTable.system();
    HostsTable.Builder b = HostsTable.builder();
    for (Object f : list(m.get("files"))) b.loadSilently(Path.of(String.valueOf(f)));
    for (Object e : list(m.get("entries"))) {
      List<Object> ipName = list(e);
      b.add(String.valueOf(ipName.get(0)), String.valueOf(ipName.get(1)), ipName.size() > 2 && Boolean.TRUE.equals(ipName.get(2)));
    }
    return b.build();
  }

  /** The array part of a table converted by {@link LuaValues#toJava}, in order; empty for anything else. */
  private static List<Object> list(Object table) {
    List<Object> out = new ArrayList<>();
    if (table instanceof Map<?, ?> m) {
      for (long i = 1; m.containsKey(i); i++) out.add(m.get(i));
    }
    return out;
  }

  private static int number(Object v, int dflt) {
    return v instanceof Number n ? n.intValue() : dflt;
  }

  /** dns_submit(h, name, type, class, timeout_ms) -> true | nil, errno: starts a lookup, dropping the last. */
  private int submit(Lua l) {
    Slot s = slot(l);
    if (s == null) return fail(l, Errno.EBADF);
    if (s.lookup != null) s.lookup.abort();
    s.lookup = s.resolver.query(LuaValues.string(l, 2), (int) l.toInteger(3), (int) l.toInteger(4), l.toInteger(5));
    l.push(true);
    return 1;
  }

  /**
   * dns_fetch(h) -> { {name, type, class, ttl, data...}... } | nil, errno: the answer of the lookup, once;
   * EAGAIN while it runs, DNS_ENOQUERY when there is none.
   */
  private int fetch(Lua l) {
    Slot s = slot(l);
    if (s == null) return fail(l, Errno.EBADF);
    if (s.lookup == null) return fail(l, Errno.DNS_ENOQUERY);
    Resolver.Answer a = s.lookup.answer();
    if (a == null) return fail(l, Errno.EAGAIN);
    s.lookup = null;
    if (a.error() != 0) return fail(l, a.error());
    List<Object> out = new ArrayList<>(a.records().size());
    for (Resolver.Record r : a.records()) {
      List<Object> rec = new ArrayList<>(4 + r.data().size());
      rec.add(r.name());
      rec.add(r.type());
      rec.add(r.dnsClass());
      rec.add(r.ttl());
      rec.addAll(r.data());
      out.add(rec);
    }
    LuaValues.push(l, out);
    return 1;
  }

  /**
   * dns_wait(h, register) -> true when a fetch would not wait (the lookup ended, or there is none); else,
   * with register, the id of an event that fires when the lookup ends, without it false.
   */
  private int await(Lua l) {
    Slot s = slot(l);
    Resolver.Lookup lk = s == null ? null : s.lookup;
    if (lk == null || lk.done()) {
      l.push(true);
    } else if (l.toBoolean(2)) {
      l.push(waits.register(lk::onDone, lk::cancel));
    } else {
      l.push(false);
    }
    return 1;
  }

  private static int fail(Lua l, int errno) {
    l.pushNil();
    l.push(errno);
    return 2;
  }
}
