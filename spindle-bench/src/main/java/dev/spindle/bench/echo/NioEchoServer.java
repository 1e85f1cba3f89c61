package dev.spindle.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain Java peer of the echo benchmark: a line echo server on one thread with one {@link Selector},
 * non-blocking channels and two heap buffers per connection. It splits what it reads at '\n' and writes every
 * complete line back as it came; when the peer does not read, it stops reading from that peer until the pending
 * output has gone (backpressure, nothing buffered without bound).
 *
 * <pre>
 * java -cp spindle-bench.jar dev.spindle.bench.echo.NioEchoServer [HOST [PORT]] [--reuseport] [--reactors N]
 * </pre>
 *
 * PORT 0 (the default) takes any free port. Prints "listening HOST PORT" first. {@code --reuseport} listens with
 * SO_REUSEPORT so several processes can share the port; {@code --reactors N} runs N such loops on N threads in
 * this process, each with its own SO_REUSEPORT listener (the harness's two-reactors-in-one-process variant).
 * Standard input takes commands from the harness: "heap" prints "heap BYTES", the heap in use after a full
 * collection. End of standard input ends the server, so it never outlives the harness that started it.
 */
public final class NioEchoServer {
  private static final int BUFFER = 1024; // per connection, each way; grows for longer lines
  private static final int MAX_LINE = 1 << 20;

  private final Selector selector;
  private final ServerSocketChannel listener;

  private NioEchoServer(ServerSocketChannel listener) throws IOException {
    this.selector = Selector.open();
    this.listener = listener;
    listener.register(selector, SelectionKey.OP_ACCEPT);
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 0, reactors = 1, positional = 0;
    boolean reuseport = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reuseport" -> reuseport = true;
        case "--reactors" -> reactors = Integer.parseInt(args[++i]);
        default -> {
          if (positional++ == 0) host = args[i];
          else port = Integer.parseInt(args[i]);
        }
      }
    }
    List<NioEchoServer> loops = new ArrayList<>();
    for (int i = 0; i < reactors; i++) {
      ServerSocketChannel l = ServerSocketChannel.open();
      if (reuseport || reactors > 1) l.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      l.bind(new InetSocketAddress(host, port), 4096);
      l.configureBlocking(false);
      port = ((InetSocketAddress) l.getLocalAddress()).getPort(); // the next loops listen on the same port
      loops.add(new NioEchoServer(l));
    }
    System.out.println("listening " + host + " " + port);
    System.out.flush();
    Thread commands = new Thread(NioEchoServer::commands, "commands");
    commands.setDaemon(true);
    commands.start();
    for (int i = 1; i < loops.size(); i++) new Thread(loops.get(i)::serve, "echo-" + i).start();
    loops.get(0).serve();
  }

  /** The harness's commands on standard input; end of input ends the process. */
  private static void commands() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String l; (l = in.readLine()) != null; ) {
        if (l.trim().equals("heap")) {
          for (int i = 0; i < 3; i++) System.gc();
          System.out.println("heap " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
          System.out.flush();
        }
      }
    } catch (IOException ignored) {
      // as at end of input
    }
    System.exit(0);
  }

  private void serve() {
    try {
      while (true) {
        selector.select(this::ready);
      }
    } catch (IOException e) {
      System.err.println("NioEchoServer: " + e);
      System.exit(1);
    }
  }

  private void ready(SelectionKey key) {
    try {
      if (key.isAcceptable()) {
        accept();
      } else {
        Connection c = (Connection) key.attachment();
        if (key.isWritable()) c.writable();
        else if (key.isReadable()) c.readable();
      }
    } catch (IOException e) {
      close(key); // the peer went away (e.g. reset); the others go on
    }
  }

  private void accept() throws IOException {
    for (SocketChannel ch; (ch = listener.accept()) != null; ) {
      ch.configureBlocking(false);
      SelectionKey k = ch.register(selector, SelectionKey.OP_READ);
      k.attach(new Connection(ch, k));
    }
  }

  private static void close(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** One client: what has been read but not yet split into lines, and what is still to be written. */
  private static final class Connection {
    private final SocketChannel ch;
    private final SelectionKey key;
    private ByteBuffer in = ByteBuffer.allocate(BUFFER); // write mode: [0, position) read, not yet echoed
    private ByteBuffer out = ByteBuffer.allocate(BUFFER); // write mode, except while output is pending

    Connection(SocketChannel ch, SelectionKey key) {
      this.ch = ch;
      this.key = key;
    }

    void readable() throws IOException {
      if (ch.read(in) < 0) {
        close(key);
        return;
      }
      // every complete line to the output buffer; the partial last line stays
      byte[] a = in.array();
      int start = 0, end = in.position();
      for (int i = 0; i < end; i++) {
        if (a[i] == '\n') {
          put(a, start, i + 1 - start);
          start = i + 1;
        }
      }
      in.position(start).limit(end);
      in.compact();
      if (!in.hasRemaining()) in = grow(in);
      out.flip();
      writable();
    }

    /** Writes pending output (out in read mode); reads again only once all of it has gone. */
    void writable() throws IOException {
      ch.write(out);
      if (out.hasRemaining()) {
        if (key.interestOps() != SelectionKey.OP_WRITE) key.interestOps(SelectionKey.OP_WRITE);
      } else {
        out.clear();
        if (key.interestOps() != SelectionKey.OP_READ) key.interestOps(SelectionKey.OP_READ);
      }
    }

    private void put(byte[] a, int off, int len) throws IOException {
      while (out.remaining() < len) out = grow(out);
      out.put(a, off, len);
    }

    private static ByteBuffer grow(ByteBuffer b) throws IOException {
      if (b.capacity() >= MAX_LINE) throw new IOException("line longer than " + MAX_LINE + " bytes");
      ByteBuffer g = ByteBuffer.allocate(b.capacity() * 2);
      b.flip();
      return g.put(b);
    }
  }
}
