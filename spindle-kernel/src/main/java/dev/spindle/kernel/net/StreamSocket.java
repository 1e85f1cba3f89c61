package dev.spindle.kernel.net;

import dev.spindle.kernel.reactor.Reactor;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A TCP connection on a reactor: buffered input that the owner pulls, output that it pushes, and one-shot
 * readiness callbacks. Connecting and TLS handshakes run in the background; until they finish the socket
 * is neither readable nor writable.
 *
 * <p>Concurrency: reactor only. Every method must be called on the reactor thread, and every callback runs
 * there.
 *
 * <p>Backpressure: input beyond {@link #setInputLimit} stops reading from the network until the owner
 * consumes it; output is bounded by Netty's write-buffer water marks ({@link #writable} turns false above
 * the high one), and the owner is expected to wait for {@link #onWritable} before writing more.
 */
public final class StreamSocket implements AutoCloseable {
  private Channel channel; // null while connecting
  private final CompositeByteBuf input; // received bytes not yet consumed; released on close
  private int inputLimit = 64 * 1024;
  private boolean inputEof; // the peer closed its side (or we shut ours down for reading)
  private int error; // errno of a failed connect, reset or handshake; 0 while healthy
  private boolean handshaking; // connect or TLS handshake in progress
  private boolean tls;
  private SslHandler pendingTls; // asked for while connecting; installed once connected
  private boolean closed;
  private final Callbacks onReadable = new Callbacks();
  private final Callbacks onWritable = new Callbacks();

  private StreamSocket() {
    this.input = io.netty.buffer.ByteBufAllocator.DEFAULT.compositeBuffer(64);
  }

  /**
   * Starts connecting to {@code remote}. An unresolved address is resolved in the background by
   * {@code resolver} (null: Netty's default, the JDK's blocking lookup); a name that does not resolve
   * becomes the socket's error, {@link Errno#DNS_ENONAME}.
   */
  public static StreamSocket connect(Reactor reactor, SocketAddress remote, SocketAddress local, boolean nodelay,
      Resolver resolver) {
    StreamSocket s = new StreamSocket();
    s.handshaking = true;
    boolean unix = remote instanceof UnixDomainSocketAddress;
    Bootstrap b = new Bootstrap()
        .group(reactor.eventLoop())
        .channel(unix ? NioDomainSocketChannel.class : NioSocketChannel.class)
        .handler(s.new Handler());
    // half-closure (shutdown("w") keeps reading) is TCP's; Netty's NIO Unix channels do not offer it
    if (!unix) b.option(ChannelOption.TCP_NODELAY, nodelay).option(ChannelOption.ALLOW_HALF_CLOSURE, true);
    if (!unix && resolver != null) b.resolver(resolver.addressResolverGroup());
    ChannelFuture f = local == null ? b.connect(remote) : b.connect(remote, local);
    s.channel = f.channel();
    f.addListener(s::connected);
    return s;
  }

  /**
   * Takes over a connected JDK channel (one end of a socket pair) and registers it with {@code reactor}'s
   * loop. Call on that reactor's thread.
   */
  public static StreamSocket adopt(Reactor reactor, SocketChannel jdkChannel) {
    NioSocketChannel ch = new NioSocketChannel(jdkChannel);
    ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    ch.config().setOption(ChannelOption.TCP_NODELAY, true);
    StreamSocket s = accepted(ch);
    s.handshaking = true;
    reactor.eventLoop().register(ch).addListener(s::connected);
    return s;
  }

  /** Wraps a channel a {@link Listener} accepted; installs the handler before any read. */
  static StreamSocket accepted(Channel ch) {
    StreamSocket s = new StreamSocket();
    s.channel = ch;
    ch.pipeline().addLast(s.new Handler());
    return s;
  }

  /* ---------------- readiness ---------------- */

  /** True when a read would not wait: input is buffered, or EOF, an error or the close is there to see. */
  public boolean readable() {
    return !handshaking && (input.isReadable() || inputEof || error != 0 || closed);
  }

  /** True when a write would not wait: connected, and below the high water mark (or failed, or closed). */
  public boolean writable() {
    return !handshaking && (error != 0 || closed || channel.isWritable() || !channel.isActive());
  }

  /** Runs {@code r} once, at the next change that may make the socket readable. */
  public void onReadable(Runnable r) {
    onReadable.add(r);
  }

  /** Runs {@code r} once, at the next change that may make the socket writable. */
  public void onWritable(Runnable r) {
    onWritable.add(r);
  }

  /** Forgets a callback that is no longer wanted; true if it was still registered. */
  public boolean cancel(Runnable r) {
    return onReadable.remove(r) || onWritable.remove(r);
  }

  /** Runs every registered callback now, as if the socket became ready (cqueues.cancel). */
  public void fireAll() {
    onReadable.fire();
    onWritable.fire();
  }


  /* ---------------- input ---------------- */

  /** The received bytes; the owner reads from it (moving its reader index), then calls {@link #consumed}. */
  public ByteBuf input() {
    return input;
  }

  /** Releases what was read from {@link #input} and resumes reading from the network if it was paused. */
  public void consumed() {
    input.discardReadComponents();
    if (!closed && channel != null && !channel.config().isAutoRead() && input.readableBytes() < inputLimit) {
      channel.config().setAutoRead(true);
    }
  }

  /** Puts bytes back in front of the input (cqueues' unget), taking ownership; clears input EOF. */
  public void unread(ByteBuf bytes) {
    ByteBuf rest = input.alloc().buffer(input.readableBytes()).writeBytes(input);
    input.discardReadComponents();
    input.addComponent(true, bytes);
    input.addComponent(true, rest);
    inputEof = false;
  }

  public boolean inputEof() {
    return inputEof;
  }

  /** The sticky connection error (errno), or 0. */
  public int error() {
    return error;
  }

  /** Bytes buffered beyond which reading from the network pauses. */
  public void setInputLimit(int bytes) {
    inputLimit = Math.max(1, bytes);
  }

  /* ---------------- output ---------------- */

  /** Writes and flushes {@code bytes} (taking ownership). Returns the errno if the socket cannot send, else 0. */
  public int write(ByteBuf bytes) {
    if (closed || error != 0 || handshaking || !channel.isActive()) {
      bytes.release();
      return closed ? Errno.EPIPE : error != 0 ? error : handshaking ? Errno.EAGAIN : Errno.EPIPE;
    }
    channel.writeAndFlush(bytes, channel.voidPromise());
    return 0;
  }

  /** Bytes handed to the network layer and not yet sent. */
  public long outputPending() {
    if (channel == null || channel.unsafe().outboundBuffer() == null) return 0;
    return channel.unsafe().outboundBuffer().totalPendingWriteBytes();
  }

  /** Shuts down one or both directions. Returns an errno, or 0. */
  public int shutdown(boolean read, boolean write) {
    if (closed || handshaking || !(channel instanceof DuplexChannel d) || !channel.isActive()) return Errno.ENOTCONN;
    if (write) d.shutdownOutput();
    if (read) {
      d.shutdownInput();
      inputEof = true;
      onReadable.fire();
    }
    return 0;
  }

  /* ---------------- TLS ---------------- */

  /**
   * Starts a TLS handshake with {@code handler} in front of everything; bytes already buffered are fed to it
   * first. The socket is neither readable nor writable until the handshake ends; a failure becomes the
   * socket's error.
   */
  public void startTls(SslHandler handler) {
    if (closed || error != 0 || tls) return;
    tls = true;
    if (handshaking) { // still connecting: the handshake starts once connected
      pendingTls = handler;
      return;
    }
    installTls(handler);
  }

  private void installTls(SslHandler handler) {
    handshaking = true;
    channel.pipeline().addFirst(handler);
    handler.handshakeFuture().addListener(done -> {
      handshaking = false;
      if (!done.isSuccess() && error == 0) error = Errno.of(done.cause());
      fireAll();
    });
    if (input.isReadable()) {
      ByteBuf pending = input.alloc().buffer(input.readableBytes()).writeBytes(input);
      consumed();
      channel.pipeline().fireChannelRead(pending);
      channel.pipeline().fireChannelReadComplete();
    }
  }

  /** Ends a connect or registration: starts a TLS handshake asked for meanwhile, or wakes the waiters. */
  private void connected(io.netty.util.concurrent.Future<?> done) {
    handshaking = false;
    if (!done.isSuccess() && !closed) error = Errno.of(done.cause());
    SslHandler tlsNext = pendingTls;
    pendingTls = null;
    if (tlsNext != null && error == 0 && !closed) installTls(tlsNext);
    else fireAll();
  }

  public boolean isTls() {
    return tls;
  }

  /* ---------------- identity, close ---------------- */

  /** The local address (an InetSocketAddress or a UnixDomainSocketAddress), or null. */
  public SocketAddress localAddress() {
    return channel == null ? null : channel.localAddress();
  }

  /** The peer's address, or null when not connected. */
  public SocketAddress remoteAddress() {
    return channel == null || !channel.isActive() ? null : channel.remoteAddress();
  }

  public boolean isClosed() {
    return closed;
  }

  /** True while connecting or in a TLS handshake: nothing can be sent yet. */
  public boolean handshaking() {
    return handshaking;
  }

  /** Closes at once and wakes everyone waiting on the socket. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (channel != null) {
      // what was written still goes out, then the connection closes
      if (outputPending() > 0) channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      else channel.close();
    }
    input.release();
    fireAll();
  }

  /** Receives bytes and state changes from the channel. */
  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (closed) {
        io.netty.util.ReferenceCountUtil.release(msg);
        return;
      }
      input.addComponent(true, (ByteBuf) msg);
      if (input.readableBytes() >= inputLimit) ctx.channel().config().setAutoRead(false);
      onReadable.fire();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inputEof = true;
      fireAll();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        inputEof = true;
        onReadable.fire();
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) onWritable.fire();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (error == 0) error = Errno.of(cause);
      fireAll();
    }
  }
}
