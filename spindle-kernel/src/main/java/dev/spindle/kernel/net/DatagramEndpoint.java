package dev.spindle.kernel.net;

import dev.spindle.kernel.reactor.Reactor;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * A UDP socket on a reactor: bound (to receive) and optionally connected (to send). Received datagrams
 * queue until the owner takes them.
 *
 * <p>Concurrency: reactor only.
 *
 * <p>Backpressure: above {@link #QUEUE_LIMIT} queued bytes the endpoint stops reading, and the kernel drops
 * what arrives meanwhile, as UDP does for any slow receiver.
 */
public final class DatagramEndpoint implements AutoCloseable {
  static final int QUEUE_LIMIT = 1 << 20;
  /** Asked of the kernel (which caps it at net.core.rmem_max): bursts wait there while the reactor is busy. */
  static final int RECEIVE_BUFFER = 4 << 20;

  private final Channel channel;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private int queued; // bytes in queue
  private final Callbacks onReadable = new Callbacks();
  private final Callbacks onSettled = new Callbacks();
  private boolean settled; // bound (and connected), or failed
  private int error;
  private boolean closed;

  private DatagramEndpoint(Reactor reactor, SocketAddress local, SocketAddress remote, boolean broadcast,
      Resolver resolver) {
    Bootstrap b = new Bootstrap()
        .group(reactor.eventLoop())
        .channel(NioDatagramChannel.class)
        .option(ChannelOption.SO_BROADCAST, broadcast)
        .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536)) // no datagram is cut
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            if (closed) return;
            ByteBuf data = p.content().copy(); // exact size: the 64 KiB receive buffer goes back at once
            queue.add(data);
            queued += data.readableBytes();
            if (queued >= QUEUE_LIMIT) ctx.channel().config().setAutoRead(false);
            onReadable.fire();
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (error == 0) error = Errno.of(cause);
            onReadable.fire();
          }
        });
    if (resolver != null) b.resolver(resolver.addressResolverGroup());
    ChannelFuture f = remote == null ? b.bind(local) : b.connect(remote, local);
    channel = f.channel();
    f.addListener(done -> {
      settled = true;
      if (!done.isSuccess()) error = Errno.of(done.cause());
      onSettled.fire();
      onReadable.fire();
    });
  }

  /** A socket bound to {@code local} that receives from anyone. */
  public static DatagramEndpoint bind(Reactor reactor, SocketAddress local, boolean broadcast) {
    return new DatagramEndpoint(reactor, local, null, broadcast, null);
  }

  /**
   * A socket connected to {@code remote}, bound to an ephemeral port. An unresolved address is resolved in
   * the background by {@code resolver} (null: by the JDK, here and blocking).
   */
  public static DatagramEndpoint connect(Reactor reactor, SocketAddress remote, boolean broadcast, Resolver resolver) {
    if (resolver == null && remote instanceof InetSocketAddress i && i.isUnresolved()) {
      remote = new InetSocketAddress(i.getHostString(), i.getPort());
    }
    return new DatagramEndpoint(reactor, new InetSocketAddress(0), remote, broadcast, resolver);
  }

  /** Takes the oldest datagram (the caller releases it), or null. */
  public ByteBuf receive() {
    ByteBuf b = queue.poll();
    if (b != null) {
      queued -= b.readableBytes();
      if (!closed && !channel.config().isAutoRead() && queued < QUEUE_LIMIT) channel.config().setAutoRead(true);
    }
    return b;
  }

  /** Sends one datagram to the connected peer (taking ownership). Returns 0 or an errno. */
  public int send(ByteBuf data) {
    if (closed || error != 0 || !settled || !channel.isActive() || channel.remoteAddress() == null) {
      data.release();
      return closed ? Errno.EPIPE : error != 0 ? error : !settled ? Errno.EAGAIN : 89; // EDESTADDRREQ
    }
    channel.writeAndFlush(data, channel.voidPromise());
    return 0;
  }

  public boolean readable() {
    return !queue.isEmpty() || error != 0 || closed;
  }

  public boolean writable() {
    return settled && (error != 0 || closed || channel.isWritable());
  }

  public int error() {
    return error;
  }

  public void onReadable(Runnable r) {
    onReadable.add(r);
  }

  /** Runs {@code r} once bound (or failed), or when writable again. */
  public void onWritable(Runnable r) {
    onSettled.add(r);
  }

  public boolean cancel(Runnable r) {
    return onReadable.remove(r) || onSettled.remove(r);
  }

  public void fireAll() {
    onReadable.fire();
    onSettled.fire();
  }


  public SocketAddress localAddress() {
    return channel.localAddress();
  }

  public SocketAddress remoteAddress() {
    return channel.remoteAddress();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    channel.close();
    for (ByteBuf b : queue) b.release();
    queue.clear();
    fireAll();
  }
}
