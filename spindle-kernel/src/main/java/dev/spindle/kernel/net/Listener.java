package dev.spindle.kernel.net;

import dev.spindle.kernel.reactor.Reactor;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.StandardSocketOptions;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayDeque;

/**
 * A listening TCP socket on a reactor. Accepted connections wait in a backlog, already reading into their
 * buffers, until the owner takes them with {@link #accept}.
 *
 * <p>Concurrency: reactor only.
 *
 * <p>Backpressure: above {@link #BACKLOG} unaccepted connections the listener stops accepting from the
 * kernel until the owner catches up.
 */
public final class Listener implements AutoCloseable {
  static final int BACKLOG = 1024;

  private final Channel channel;
  private final ArrayDeque<StreamSocket> backlog = new ArrayDeque<>();
  private final Callbacks onAcceptable = new Callbacks();
  private int error; // errno of a failed bind; 0 once bound
  private boolean bound;
  private boolean closed;

  private Listener(Reactor reactor, SocketAddress local, boolean reuseaddr, boolean reuseport, boolean nodelay) {
    boolean unix = local instanceof UnixDomainSocketAddress;
    ServerBootstrap b = new ServerBootstrap()
        .group(reactor.eventLoop(), reactor.eventLoop())
        .channel(unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, BACKLOG)
        .childHandler(new Acceptor());
    if (!unix) {
      b.option(ChannelOption.SO_REUSEADDR, reuseaddr)
          .childOption(ChannelOption.TCP_NODELAY, nodelay)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // not offered by Netty's NIO Unix channels
    }
    if (reuseport) b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
    ChannelFuture f = b.bind(local);
    channel = f.channel();
    f.addListener(done -> {
      if (done.isSuccess()) bound = true;
      else error = Errno.of(done.cause());
      fire();
    });
  }

  /** Starts listening on {@code local}; the outcome shows in {@link #error} and {@link #isBound}. */
  /** Queues each accepted channel as a StreamSocket (one instance serves every child channel). */
  @ChannelHandler.Sharable
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      ch.pipeline().remove(this);
      if (closed) {
        ch.close();
        return;
      }
      backlog.add(StreamSocket.accepted(ch));
      if (backlog.size() >= BACKLOG) channel.config().setAutoRead(false);
      fire();
    }
  }

  public static Listener bind(Reactor reactor, SocketAddress local, boolean reuseaddr, boolean reuseport, boolean nodelay) {
    return new Listener(reactor, local, reuseaddr, reuseport, nodelay);
  }

  /** Takes the oldest accepted connection, or null if none is waiting. */
  public StreamSocket accept() {
    StreamSocket s = backlog.poll();
    if (s != null && !closed && !channel.config().isAutoRead() && backlog.size() < BACKLOG) {
      channel.config().setAutoRead(true);
    }
    return s;
  }

  /** True when accept would not wait: a connection is waiting, or the listener failed or closed. */
  public boolean acceptable() {
    return !backlog.isEmpty() || error != 0 || closed;
  }

  /** True once bound, or failed: either way listen() has an answer. */
  public boolean settled() {
    return bound || error != 0 || closed;
  }

  public boolean isBound() {
    return bound;
  }

  public int error() {
    return error;
  }

  public void onAcceptable(Runnable r) {
    onAcceptable.add(r);
  }

  public boolean cancel(Runnable r) {
    return onAcceptable.remove(r);
  }

  /** Runs the callbacks now, as if a connection came (cqueues.cancel). */
  public void fire() {
    onAcceptable.fire();
  }

  /** The bound address (an InetSocketAddress or a UnixDomainSocketAddress), or null before binding. */
  public SocketAddress localAddress() {
    return channel.localAddress();
  }

  /** Stops listening, closes the connections nobody accepted, wakes the waiters. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    channel.close();
    for (StreamSocket s : backlog) s.close();
    backlog.clear();
    fire();
  }
}
