package dev.spindle.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One echo server, run as a child process (so that it can be pinned to a core with taskset and its memory read from
 * /proc). The server's first line on standard output must be "listening HOST PORT"; the later ones are kept for
 * {@link #heapUsed()}. Its standard error is passed on, prefixed with its name, and its first line kept for the
 * message when it fails to start.
 */
final class ServerProcess implements AutoCloseable {
  private static final int ERR_LINES_SHOWN = 20;

  final String name;
  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private String errFirst; // the first line on standard error: where a failed start says why
  private int errLines;

  private ServerProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    daemon(() -> readOut(process.getInputStream()), name + " stdout");
    daemon(() -> readErr(process.getErrorStream()), name + " stderr");
  }

  /** Starts {@code cmd} and waits for its "listening" line; fails with the server's last words if it does not come. */
  static ServerProcess start(String name, List<String> cmd, long timeoutSeconds) throws IOException {
    ServerProcess s = new ServerProcess(name, new ProcessBuilder(cmd).start());
    try {
      s.port.get(timeoutSeconds, TimeUnit.SECONDS);
      return s;
    } catch (ExecutionException | TimeoutException e) {
      s.close();
      progress(name + " did not start: " + String.join(" ", cmd));
      throw new IOException("did not start: " + s.lastWords(), e);
    } catch (InterruptedException e) {
      s.close();
      Thread.currentThread().interrupt();
      throw new IOException(name + ": interrupted while starting", e);
    }
  }

  /** Throws if the server has exited (it should run until {@link #close()}). */
  void checkAlive() throws IOException {
    if (!process.isAlive()) throw new IOException(name + " exited (status " + process.exitValue() + "): " + lastWords());
  }

  int port() {
    return port.join();
  }

  long pid() {
    return process.pid();
  }

  long rssBytes() {
    return ProcStat.rssBytes(pid());
  }

  /** Asks a {@link NioEchoServer} for its heap in use after a full collection; -1 if it does not answer. */
  long heapUsed() throws IOException, InterruptedException {
    OutputStream in = process.getOutputStream();
    in.write("heap\n".getBytes(StandardCharsets.UTF_8));
    in.flush();
    for (String l; (l = lines.poll(30, TimeUnit.SECONDS)) != null; ) {
      if (l.startsWith("heap ")) return Long.parseLong(l.substring(5).trim());
    }
    return -1;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private synchronized String lastWords() {
    return errFirst != null ? errFirst : "no output" + (process.isAlive() ? "" : ", exit status " + process.exitValue());
  }

  private void readOut(InputStream out) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        String[] f = l.trim().split("\\s+");
        if (!port.isDone() && f.length == 3 && f[0].equals("listening")) port.complete(Integer.parseInt(f[2]));
        else lines.add(l);
      }
    } catch (IOException | RuntimeException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(new IOException("ended before printing its port"));
  }

  private void readErr(InputStream err) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null; ) {
        synchronized (this) {
          if (errFirst == null) errFirst = l.trim();
          errLines++;
          if (errLines <= ERR_LINES_SHOWN) System.err.println("| " + name + ": " + l);
          else if (errLines == ERR_LINES_SHOWN + 1) System.err.println("| " + name + ": (more on standard error, not shown)");
        }
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  private static void progress(String s) {
    System.err.println(s);
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }
}
