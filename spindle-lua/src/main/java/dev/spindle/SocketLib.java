package dev.spindle;

import dev.spindle.kernel.net.DatagramEndpoint;
import dev.spindle.kernel.net.Errno;
import dev.spindle.kernel.net.Listener;
import dev.spindle.kernel.net.Resolver;
import dev.spindle.kernel.net.StreamSocket;
import dev.spindle.kernel.net.TlsContext;
import dev.spindle.kernel.reactor.Reactor;
import io.netty.buffer.ByteBuf;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;
import party.iroiro.luajava.Lua;

/**
 * The host functions behind cqueues.socket ({@code spindle/cqueues/socket.lua} holds the cqueues
 * semantics: timeouts, sticky errors, error handlers, formats in order). Every function is non-blocking:
 * when an operation must wait, it returns EAGAIN and, if asked, the id of an event that fires when the
 * socket may be ready; socket.lua then blocks the calling coroutine on that event.
 *
 * <p>Concurrency: reactor only. A registered wait ({@link HostWaits}) holds a wake source of the reactor until
 * it fires or is withdrawn, so a script waiting on a socket is never taken for deadlocked.
 *
 * <p>Names: connecting to a host name (TCP or UDP) resolves it with the state's system {@link Resolver}
 * (hosts file, then resolv.conf's servers), in the background; a name that does not resolve becomes the
 * socket's error, DNS_ENONAME.
 */
final class SocketLib {
  private final LuaHost host;
  private final Reactor reactor;
  private final HostWaits waits;
  private final Supplier<Resolver> resolver; // the system's, for connecting by name
  private ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024); // reactor only: strings on their way to Lua

  private SocketLib(LuaHost host, Supplier<Resolver> resolver) {
    this.host = host;
    this.reactor = host.reactor();
    this.waits = new HostWaits(host);
    this.resolver = resolver;
  }

  /** Registers the so_* functions; {@code resolver} gives the resolver that connects use for names. */
  static void push(Lua lua, LuaHost host, Supplier<Resolver> resolver) {
    SocketLib lib = new SocketLib(host, resolver);
    LuaHostLib.set(lua, "so_connect", lib::connect);
    LuaHostLib.set(lua, "so_listen", lib::listen);
    LuaHostLib.set(lua, "so_udp", lib::udp);
    LuaHostLib.set(lua, "so_pair", lib::pair);
    LuaHostLib.set(lua, "so_pair_shared", lib::pairShared);
    LuaHostLib.set(lua, "so_adopt", l -> {
      Object ch = host.spindle().unshare(l.toInteger(1));
      if (!(ch instanceof SocketChannel sc)) {
        l.pushNil();
        return 1;
      }
      l.push(host.handles().add(new LuaSocket(StreamSocket.adopt(lib.reactor, sc))));
      return 1;
    });
    LuaHostLib.set(lua, "so_read", lib::read);
    LuaHostLib.set(lua, "so_write", lib::write);
    LuaHostLib.set(lua, "so_flush", lib::flush);
    LuaHostLib.set(lua, "so_wait", lib::await);
    LuaHostLib.set(lua, "so_unwait", lib::unwait);
    LuaHostLib.set(lua, "so_accept", lib::accept);
    LuaHostLib.set(lua, "so_error", l -> {
      LuaSocket s = lib.socket(l);
      l.push(s == null ? Errno.EBADF : s.error());
      return 1;
    });
    LuaHostLib.set(lua, "so_shutdown", l -> {
      LuaSocket s = lib.socket(l);
      l.push(s == null || s.stream == null ? Errno.ENOTCONN : s.stream.shutdown(l.toBoolean(2), l.toBoolean(3)));
      return 1;
    });
    LuaHostLib.set(lua, "so_close", l -> {
      Object s = host.handles().remove(l.toInteger(1));
      if (s instanceof LuaSocket ls) ls.close();
      return 0;
    });
    LuaHostLib.set(lua, "so_cancel", l -> {
      LuaSocket s = lib.socket(l);
      if (s != null) s.fire();
      return 0;
    });
    LuaHostLib.set(lua, "so_pending", l -> {
      LuaSocket s = lib.connection(l);
      if (s == null) return 0;
      l.push(s.stream.input().readableBytes());
      l.push(s.outputPending());
      return 2;
    });
    LuaHostLib.set(lua, "so_name", lib::name);
    LuaHostLib.set(lua, "so_starttls", lib::starttls);
    LuaHostLib.set(lua, "so_set", lib::set);
    LuaHostLib.set(lua, "so_unget", l -> {
      LuaSocket s = lib.connection(l);
      if (s == null) return 0;
      ByteBuffer b = l.toDirectBuffer(2);
      s.stream.unread(s.stream.input().alloc().buffer(b.remaining()).writeBytes(b));
      return 0;
    });
  }

  private LuaSocket socket(Lua l) {
    return host.handles().get(l.toInteger(1), LuaSocket.class);
  }

  /** The open connection of handle 1, or null (unknown, closed, a listener or a UDP socket). */
  private LuaSocket connection(Lua l) {
    LuaSocket s = socket(l);
    return s == null || s.stream == null || s.stream.isClosed() ? null : s;
  }

  /** The socket of handle 1 if it can carry data now (an open connection or a UDP socket), or null. */
  private LuaSocket carrier(Lua l) {
    LuaSocket s = socket(l);
    return s == null || s.listener != null || (s.stream != null && s.stream.isClosed()) ? null : s;
  }

  /** The Unix path at {@code pathIdx} if there is one, else host and port from {@code hostIdx}. */
  private static SocketAddress address(Lua l, int hostIdx, int pathIdx) {
    if (l.isString(pathIdx)) return UnixDomainSocketAddress.of(LuaValues.string(l, pathIdx));
    return inet(l, hostIdx);
  }

  /** Host (a name stays unresolved; nil: any address) and port at {@code hostIdx}, {@code hostIdx + 1}. */
  private static InetSocketAddress inet(Lua l, int hostIdx) {
    String h = LuaValues.string(l, hostIdx);
    int port = (int) l.toInteger(hostIdx + 1);
    return h == null ? new InetSocketAddress(port) : InetSocketAddress.createUnresolved(h, port);
  }

  /** An address to bind to: a name is looked up here (the JDK's lookup; binds take no resolver yet). */
  private static SocketAddress bindable(SocketAddress a) {
    return a instanceof InetSocketAddress i && i.isUnresolved() ? new InetSocketAddress(i.getHostString(), i.getPort()) : a;
  }

  /** The resolver for connecting to {@code a}: the system's for a name, none for a literal address or a path. */
  private Resolver byName(SocketAddress a) {
    return a instanceof InetSocketAddress i && i.isUnresolved()
        && NetUtil.createByteArrayFromIpAddressString(i.getHostString()) == null ? resolver.get() : null;
  }

  /** so_connect(host, port, path, nodelay, bindhost, bindport) -> handle */
  private int connect(Lua l) {
    SocketAddress local = l.isString(5) ? new InetSocketAddress(LuaValues.string(l, 5), (int) l.toInteger(6)) : null;
    SocketAddress remote = address(l, 1, 3);
    StreamSocket s = StreamSocket.connect(reactor, remote, local, l.toBoolean(4), byName(remote));
    l.push(host.handles().add(new LuaSocket(s)));
    return 1;
  }

  /** so_listen(host, port, path, reuseaddr, reuseport, nodelay) -> handle */
  private int listen(Lua l) {
    Listener ln = Listener.bind(reactor, bindable(address(l, 1, 3)), l.toBoolean(4), l.toBoolean(5), l.toBoolean(6));
    l.push(host.handles().add(new LuaSocket(ln)));
    return 1;
  }

  /** so_udp(host, port, connect, broadcast) -> handle: connected to host:port, or bound to it */
  private int udp(Lua l) {
    InetSocketAddress a = inet(l, 1);
    DatagramEndpoint d = l.toBoolean(3)
        ? DatagramEndpoint.connect(reactor, a, l.toBoolean(4), byName(a))
        : DatagramEndpoint.bind(reactor, bindable(a), l.toBoolean(4));
    l.push(host.handles().add(new LuaSocket(d)));
    return 1;
  }

  /** so_pair() -> handle, handle: two connected ends over loopback (or nil, nil, errno) */
  private int pair(Lua l) {
    return pair(l, false);
  }

  /**
   * so_pair_shared() -> handle, global id: a connected pair whose first end is this state's and whose
   * second end waits, shared, for the state that adopts it (so_adopt) on its own reactor.
   */
  private int pairShared(Lua l) {
    return pair(l, true);
  }

  private int pair(Lua l, boolean shareSecond) {
    SocketChannel[] ends;
    try {
      ends = connectedPair();
    } catch (IOException e) {
      l.pushNil();
      l.pushNil();
      l.push(Errno.of(e));
      return 3;
    }
    l.push(host.handles().add(new LuaSocket(StreamSocket.adopt(reactor, ends[0]))));
    if (shareSecond) l.push(host.spindle().share(ends[1]));
    else l.push(host.handles().add(new LuaSocket(StreamSocket.adopt(reactor, ends[1]))));
    return 2;
  }

  /** Two connected JDK channels over the loopback interface (the JDK has no socketpair). */
  static SocketChannel[] connectedPair() throws IOException {
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 1);
      SocketChannel a = SocketChannel.open(server.getLocalAddress());
      SocketChannel b = server.accept();
      a.configureBlocking(false);
      b.configureBlocking(false);
      return new SocketChannel[] {a, b};
    }
  }

  /** so_read(h, format, wait) -> string | false (EOF) | nil, errno[, event id] */
  private int read(Lua l) {
    LuaSocket s = carrier(l);
    if (s == null) return fail(l, Errno.EBADF);
    String format = l.isInteger(2) ? "" : l.toString(2);
    long count = l.isInteger(2) ? l.toInteger(2) : 0;
    Object r = s.dgram != null ? s.receive(format, count) : s.read(format, count);
    if (r instanceof ByteBuf b) {
      pushBytes(l, b);
      return 1;
    }
    if (r == LuaSocket.EOF) {
      l.push(false);
      return 1;
    }
    if (r == LuaSocket.AGAIN) return again(l, s, false, l.toBoolean(3));
    return fail(l, (Integer) r);
  }

  /** so_write(h, string, wait) -> 0 | errno[, event id] */
  private int write(Lua l) {
    LuaSocket s = carrier(l);
    if (s == null) return status(l, Errno.EBADF);
    return writeResult(l, s, s.write(l.toDirectBuffer(2)));
  }

  /** so_flush(h, wait) -> 0 | errno[, event id] */
  private int flush(Lua l) {
    LuaSocket s = carrier(l);
    if (s == null) return status(l, Errno.EBADF);
    return writeResult(l, s, s.flush());
  }

  private int writeResult(Lua l, LuaSocket s, int err) {
    if (err == Errno.EAGAIN && l.toBoolean(l.getTop())) {
      l.push(err);
      l.push(register(s, true));
      return 2;
    }
    return status(l, err);
  }

  /** so_accept(h, wait) -> handle | nil, errno[, event id] */
  private int accept(Lua l) {
    LuaSocket s = socket(l);
    if (s == null || s.listener == null) return fail(l, Errno.EBADF);
    StreamSocket c = s.listener.accept();
    if (c != null) {
      l.push(host.handles().add(new LuaSocket(c)));
      return 1;
    }
    if (s.listener.error() != 0) return fail(l, s.listener.error());
    return again(l, s, false, l.toBoolean(2));
  }

  /**
   * so_wait(h, "r"|"w", register) -> true when ready now; else, with register, the id of an event that fires
   * when it may be, without it false. For a listener "r" means a connection to accept and "w" means bound
   * (or failed).
   */
  private int await(Lua l) {
    LuaSocket s = socket(l);
    if (s == null) {
      l.push(true);
      return 1;
    }
    boolean w = "w".equals(l.toString(2));
    boolean ready = s.ready(w);
    if (ready || !l.toBoolean(3)) l.push(ready);
    else l.push(register(s, w));
    return 1;
  }

  /** so_unwait(h, id): withdraws a wait that ended another way. */
  private int unwait(Lua l) {
    waits.withdraw((int) l.toInteger(2));
    return 0;
  }

  private int register(LuaSocket s, boolean write) {
    return waits.register(cb -> s.register(cb, write), s::cancel);
  }

  private int again(Lua l, LuaSocket s, boolean write, boolean wait) {
    l.pushNil();
    l.push(Errno.EAGAIN);
    if (!wait) return 2;
    l.push(register(s, write));
    return 3;
  }

  private static int fail(Lua l, int errno) {
    l.pushNil();
    l.push(errno);
    return 2;
  }

  private static int status(Lua l, int errno) {
    l.push(errno);
    return 1;
  }

  /**
   * so_starttls(h, context handle or 0, host, sendname) -> true | false, message. Starts the handshake;
   * the socket turns writable when it ends (see so_error for how). Handle 0 is the default client context.
   * The peer name checked and sent (SNI) is sendname when it is a string, none when it is false, else host.
   */
  private int starttls(Lua l) {
    LuaSocket s = connection(l);
    if (s == null) {
      l.push(false);
      l.push("not a connected stream socket");
      return 2;
    }
    long ch = l.toInteger(2);
    TlsContext ctx = ch == 0 ? TlsContext.defaultClient() : host.handles().get(ch, TlsContext.class);
    if (ctx == null) {
      l.push(false);
      l.push("not an SSL context");
      return 2;
    }
    String peer = l.isString(4) ? LuaValues.string(l, 4) : l.isBoolean(4) && !l.toBoolean(4) ? null : LuaValues.string(l, 3);
    if (peer == null && s.stream.remoteAddress() instanceof InetSocketAddress a) peer = a.getAddress().getHostAddress();
    int port = s.stream.remoteAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    SslHandler handler;
    try {
      handler = ctx.newHandler(s.stream.input().alloc(), ctx.isServer() ? null : peer, port);
    } catch (IllegalStateException e) {
      l.push(false);
      LuaValues.push(l, e.getMessage());
      return 2;
    }
    handler.setHandshakeTimeoutMillis(0); // the script's own timeout decides
    s.stream.startTls(handler);
    l.push(true);
    return 1;
  }

  /** so_name(h, peer) -> family, address, port | family, path | 0 when not connected */
  private int name(Lua l) {
    LuaSocket s = socket(l);
    if (s == null) return 0;
    switch (s.address(l.toBoolean(2))) {
      case InetSocketAddress i when i.getAddress() != null -> {
        l.push(i.getAddress() instanceof java.net.Inet6Address ? 10 : 2); // AF_INET6, AF_INET
        l.push(i.getAddress().getHostAddress());
        l.push(i.getPort());
        return 3;
      }
      case UnixDomainSocketAddress u -> {
        l.push(1); // AF_UNIX
        String p = u.getPath().toString();
        if (p.isEmpty()) l.pushNil();
        else l.push(p);
        return 2;
      }
      case null, default -> {
        l.push(0);
        return 1;
      }
    }
  }

  /** so_set(h, key, value): the modes and sizes LuaSocket applies. */
  private int set(Lua l) {
    LuaSocket s = socket(l);
    if (s == null) return 0;
    switch (l.toString(2)) {
      case "intext" -> s.inText = l.toBoolean(3);
      case "outtext" -> s.outText = l.toBoolean(3);
      case "autoflush" -> s.autoflush = l.toBoolean(3);
      case "buffering" -> s.buffering = LuaSocket.Buffering.values()[(int) l.toInteger(3)];
      case "bufsiz" -> s.bufsiz = (int) l.toInteger(3);
      case "maxline" -> s.maxline = (int) l.toInteger(3);
      case "inbufsiz" -> {
        if (s.stream != null) s.stream.setInputLimit(l.toInteger(3) < 0 ? Integer.MAX_VALUE : (int) l.toInteger(3));
      }
      default -> throw new IllegalArgumentException("so_set: unknown key " + l.toString(2));
    }
    return 0;
  }

  /** Pushes the bytes of {@code b} as a Lua string and releases it. */
  private void pushBytes(Lua l, ByteBuf b) {
    try {
      int n = b.readableBytes();
      if (b.nioBufferCount() == 1 && b.isDirect()) {
        l.push(b.nioBuffer());
        return;
      }
      if (scratch.capacity() < n) scratch = ByteBuffer.allocateDirect(Math.max(n, scratch.capacity() * 2));
      scratch.clear().limit(n);
      b.getBytes(b.readerIndex(), scratch);
      scratch.flip();
      l.push(scratch);
    } finally {
      b.release();
    }
  }
}
