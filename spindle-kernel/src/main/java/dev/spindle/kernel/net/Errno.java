package dev.spindle.kernel.net;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The error numbers sockets and file watches report, in Linux numbering (scripts compare them with literal numbers), plus
 * cqueues' private negative ranges for name resolution and TLS.
 */
public final class Errno {
  public static final int EIO = 5, EAGAIN = 11, EPIPE = 32, EADDRINUSE = 98, EADDRNOTAVAIL = 99,
      ENETUNREACH = 101, ECONNRESET = 104, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111,
      EHOSTUNREACH = 113, EINVAL = 22, EBADF = 9, ENOENT = 2, EACCES = 13, ENOTDIR = 20, EISDIR = 21,
      ENAMETOOLONG = 36;

  private static final int DNS_EBASE = -('d' << 24 | 'n' << 16 | 's' << 8 | 64);
  private static final int SO_EBASE = -('s' << 24 | 'o' << 16 | 'c' << 8 | 64);
  /** The name does not resolve. */
  public static final int DNS_ENONAME = DNS_EBASE + 10;
  /** A TLS failure other than verification. */
  public static final int SO_EOPENSSL = SO_EBASE;
  /** The peer's certificate is absent or did not verify. */
  public static final int SO_ENOTVRFD = SO_EBASE + 2;

  private Errno() {}

  /** The error number that best describes {@code e}. */
  public static int of(Throwable e) {
    while (e.getCause() != null && !(e instanceof IOException) && !(e instanceof UnresolvedAddressException)) {
      e = e.getCause();
    }
    String msg = String.valueOf(e.getMessage());
    return switch (e) {
      case UnresolvedAddressException u -> DNS_ENONAME;
      case UnknownHostException u -> DNS_ENONAME;
      case ConnectTimeoutException t -> ETIMEDOUT;
      case NoRouteToHostException n -> EHOSTUNREACH;
      case PortUnreachableException p -> ECONNREFUSED;
      case BindException b -> msg.contains("assign") ? EADDRNOTAVAIL : EADDRINUSE;
      case ConnectException c -> msg.contains("unreachable") ? ENETUNREACH : ECONNREFUSED;
      case SSLHandshakeException h -> isVerification(h) ? SO_ENOTVRFD : SO_EOPENSSL;
      case SSLException s -> SO_EOPENSSL;
      case ClosedChannelException c -> EPIPE;
      case NoSuchFileException n -> ENOENT;
      case NotDirectoryException n -> ENOTDIR;
      case AccessDeniedException a -> EACCES;
      default -> msg.contains("reset") ? ECONNRESET : msg.contains("Broken pipe") ? EPIPE : EIO;
    };
  }

  private static boolean isVerification(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String n = t.getClass().getName();
      if (n.contains("CertPath") || n.contains("Certificate")) return true;
    }
    return false;
  }
}
