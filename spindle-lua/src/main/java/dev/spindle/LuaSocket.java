package dev.spindle;

import dev.spindle.kernel.net.DatagramEndpoint;
import dev.spindle.kernel.net.Errno;
import dev.spindle.kernel.net.Listener;
import dev.spindle.kernel.net.StreamSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ByteProcessor;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The state cqueues keeps per socket that is not Lua's business: the modes that shape bytes (text or
 * binary, output buffering, line limit), the output buffer, and the read formats. A LuaSocket is a
 * connection ({@link StreamSocket}), a listener ({@link Listener}) or a UDP socket ({@link DatagramEndpoint}):
 * exactly one of the three fields is set.
 *
 * <p>Concurrency: reactor only.
 */
final class LuaSocket implements AutoCloseable {
  /** Output buffering: nothing kept, up to the last newline kept back, or kept until bufsiz. */
  enum Buffering { NONE, LINE, FULL }

  /** What a read returns when it cannot produce a value now. */
  static final Object AGAIN = new Object(), EOF = new Object();

  final StreamSocket stream;
  final Listener listener;
  final DatagramEndpoint dgram;
  boolean inText = true, outText = true, autoflush = true;
  Buffering buffering = Buffering.LINE;
  int bufsiz = 4096, maxline = 4096;
  private ByteBuf out; // output not yet handed to the connection; null when empty

  LuaSocket(StreamSocket stream) {
    this(stream, null, null);
  }

  LuaSocket(Listener listener) {
    this(null, listener, null);
  }

  LuaSocket(DatagramEndpoint dgram) {
    this(null, null, dgram);
  }

  private LuaSocket(StreamSocket stream, Listener listener, DatagramEndpoint dgram) {
    this.stream = stream;
    this.listener = listener;
    this.dgram = dgram;
  }

  /* ---------------- readiness, the same for the three kinds ---------------- */

  /**
   * True when an operation in that direction would not wait. For a listener, reading is accepting and
   * writing is being bound; for UDP, writing is being bound and below the water mark.
   */
  boolean ready(boolean write) {
    if (stream != null) return stream.isClosed() || (write ? stream.writable() : stream.readable());
    if (listener != null) return write ? listener.settled() : listener.acceptable();
    return write ? dgram.writable() : dgram.readable();
  }

  void register(Runnable r, boolean write) {
    if (stream != null) {
      if (write) stream.onWritable(r);
      else stream.onReadable(r);
    } else if (listener != null) {
      listener.onAcceptable(r);
    } else if (write) {
      dgram.onWritable(r);
    } else {
      dgram.onReadable(r);
    }
  }

  boolean cancel(Runnable r) {
    return stream != null ? stream.cancel(r) : listener != null ? listener.cancel(r) : dgram.cancel(r);
  }

  /** Runs every waiting callback now (cqueues.cancel). */
  void fire() {
    if (stream != null) stream.fireAll();
    else if (listener != null) listener.fire();
    else dgram.fireAll();
  }

  int error() {
    return stream != null ? stream.error() : listener != null ? listener.error() : dgram.error();
  }

  SocketAddress address(boolean peer) {
    if (stream != null) return peer ? stream.remoteAddress() : stream.localAddress();
    if (listener != null) return peer ? null : listener.localAddress();
    return peer ? dgram.remoteAddress() : dgram.localAddress();
  }

  /** A datagram read: one whole datagram per value, cut to {@code count} bytes when that is positive. */
  Object receive(String format, long count) {
    ByteBuf b = dgram.receive();
    if (b == null) return dgram.error() != 0 ? (Object) dgram.error() : AGAIN;
    if (count > 0 && count < b.readableBytes()) b.writerIndex(b.readerIndex() + (int) count);
    if (format.equals("*l") && b.isReadable() && b.getByte(b.writerIndex() - 1) == '\n') {
      b.writerIndex(b.writerIndex() - 1);
      if (inText && b.isReadable() && b.getByte(b.writerIndex() - 1) == '\r') b.writerIndex(b.writerIndex() - 1);
    }
    return b;
  }

  /* ---------------- input ---------------- */

  /**
   * Reads one value in {@code format} ("*l", "*L", "*a", or a byte count: n exactly, -n at most): a ByteBuf
   * (the caller releases it), {@link #AGAIN}, {@link #EOF}, or an Integer errno.
   */
  Object read(String format, long count) {
    if (autoflush && out != null) flushOut(false);
    ByteBuf in = stream.input();
    int avail = in.readableBytes();
    boolean ended = stream.inputEof() || stream.isClosed();
    if (avail == 0 && stream.error() != 0) return stream.error();
    if (avail == 0 && ended) return EOF;
    Object r = switch (format) {
      case "*l", "*L" -> line(in, format.equals("*L"), ended);
      case "*a" -> {
        if (!ended) {
          stream.setInputLimit(Integer.MAX_VALUE);
          yield AGAIN;
        }
        ByteBuf all = take(in, avail);
        yield inText ? untext(all) : all;
      }
      default -> count >= 0 ? exactly(in, count, ended) : atMost(in, -count);
    };
    if (r instanceof ByteBuf) stream.consumed();
    if (r == AGAIN && stream.error() != 0) return stream.error();
    return r;
  }

  private Object line(ByteBuf in, boolean keep, boolean ended) {
    int start = in.readerIndex();
    int limit = maxline < 0 ? in.readableBytes() : Math.min(in.readableBytes(), maxline);
    int nl = in.indexOf(start, start + limit, (byte) '\n');
    if (nl < 0) {
      // no end of line: a full line limit or the last line before EOF comes out as it is
      if (!ended && (maxline < 0 || in.readableBytes() < maxline)) {
        if (maxline >= 0) stream.setInputLimit(Math.max(maxline, 64 * 1024));
        return AGAIN;
      }
      return take(in, limit);
    }
    int end = nl; // exclusive end of the content
    if (inText && end > start && in.getByte(end - 1) == '\r') end--;
    ByteBuf line;
    if (!keep) {
      line = copy(in, start, end - start);
    } else if (end == nl) {
      line = copy(in, start, nl + 1 - start);
    } else { // text mode: "\r\n" becomes "\n"
      line = in.alloc().buffer(end - start + 1).writeBytes(in, start, end - start).writeByte('\n');
    }
    in.readerIndex(nl + 1);
    return line;
  }

  private Object exactly(ByteBuf in, long n, boolean ended) {
    if (n == 0) return in.alloc().directBuffer(0);
    if (in.readableBytes() >= n) return take(in, (int) n);
    if (ended) return take(in, in.readableBytes());
    stream.setInputLimit((int) Math.min(Integer.MAX_VALUE, Math.max(n, 64 * 1024)));
    return AGAIN;
  }

  private static Object atMost(ByteBuf in, long n) {
    if (!in.isReadable()) return AGAIN;
    return take(in, (int) Math.min(n, in.readableBytes()));
  }

  /*
   * Values are copied out: a slice of the input would be a view of the composite buffer's indices, which
   * move when read components are discarded.
   */
  private static ByteBuf copy(ByteBuf in, int from, int n) {
    return in.alloc().directBuffer(n).writeBytes(in, from, n);
  }

  private static ByteBuf take(ByteBuf in, int n) {
    ByteBuf b = copy(in, in.readerIndex(), n);
    in.skipBytes(n);
    return b;
  }

  /** Text mode input: every "\r\n" becomes "\n". Releases {@code b}. */
  private static ByteBuf untext(ByteBuf b) {
    if (b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r') < 0) return b;
    ByteBuf t = b.alloc().buffer(b.readableBytes());
    int n = b.writerIndex();
    for (int i = b.readerIndex(); i < n; i++) {
      byte c = b.getByte(i);
      if (c == '\r' && i + 1 < n && b.getByte(i + 1) == '\n') continue;
      t.writeByte(c);
    }
    b.release();
    return t;
  }

  /* ---------------- output ---------------- */

  /**
   * Buffers {@code data} (text mode writes "\n" as "\r\n") and hands out what the buffering mode lets go.
   * Returns 0, EAGAIN when the connection is above its high water mark (the data is kept; wait until
   * writable), or an errno.
   */
  int write(ByteBuffer data) {
    ByteBuf b = encode(data);
    if (dgram != null) {
      int err = dgram.send(b);
      return err != 0 ? err : dgram.writable() ? 0 : Errno.EAGAIN;
    }
    if (out == null) {
      out = b;
    } else {
      out = ByteBufAllocator.DEFAULT.compositeDirectBuffer().addComponents(true, out, b);
    }
    return switch (buffering) {
      case NONE -> flushOut(true);
      case LINE -> {
        int last = out.forEachByteDesc(ByteProcessor.FIND_LF);
        yield last < 0 ? pressure() : handOut(last + 1 - out.readerIndex());
      }
      case FULL -> bufsiz >= 0 && out.readableBytes() >= bufsiz ? flushOut(true) : pressure();
    };
  }

  /** The bytes of {@code data} for the wire: in text mode every "\n" goes out as "\r\n". */
  private ByteBuf encode(ByteBuffer data) {
    int n = data.remaining();
    if (!outText) return ByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(data);
    int nls = 0;
    for (int i = data.position(); i < data.limit(); i++) if (data.get(i) == '\n') nls++;
    ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(n + nls);
    for (int i = data.position(); i < data.limit(); i++) {
      byte c = data.get(i);
      if (c == '\n') b.writeByte('\r');
      b.writeByte(c);
    }
    return b;
  }

  /** Hands all buffered output to the connection. Returns 0, EAGAIN (wait until writable) or an errno. */
  int flush() {
    if (dgram != null) return dgram.writable() ? 0 : Errno.EAGAIN;
    return flushOut(true);
  }

  private int flushOut(boolean report) {
    if (out == null) return report ? pressure() : 0;
    return handOut(out.readableBytes());
  }

  private int handOut(int n) {
    if (stream.handshaking()) return Errno.EAGAIN; // kept until connected: the writer waits for writable
    ByteBuf chunk = out;
    out = null;
    if (n < chunk.readableBytes()) { // keep the partial line back
      out = copy(chunk, chunk.readerIndex() + n, chunk.readableBytes() - n);
      chunk.writerIndex(chunk.readerIndex() + n);
    }
    int err = stream.write(chunk);
    return err != 0 ? err : pressure();
  }

  private int pressure() {
    if (stream.error() != 0) return stream.error();
    return stream.writable() ? 0 : Errno.EAGAIN;
  }

  /** Output bytes buffered here and in the network layer. */
  long outputPending() {
    if (stream == null) return 0;
    return (out == null ? 0 : out.readableBytes()) + stream.outputPending();
  }

  @Override
  public void close() {
    if (out != null) { // cqueues flushes a partial line at close
      if (!stream.handshaking()) stream.write(out);
      else out.release();
      out = null;
    }
    if (stream != null) stream.close();
    if (listener != null) listener.close();
    if (dgram != null) dgram.close();
  }
}
