package dev.spindle.kernel.net;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.resolver.dns.DnsErrorCauseException;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
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
      EHOSTUNREACH = 113, EINVAL = 22, EBADF = 9, ECANCELED = 125, ENOENT = 2, EACCES = 13, ENOTDIR = 20,
      EISDIR = 21, ENAMETOOLONG = 36;

  private static final int DNS_EBASE = -('d' << 24 | 'n' << 16 | 's' << 8 | 64);
  private static final int SO_EBASE = -('s' << 24 | 'o' << 16 | 'c' << 8 | 64);
  /** A name or record that cannot be put in a DNS message. */
  public static final int DNS_EILLEGAL = DNS_EBASE + 1;
  /** There is no query to fetch an answer for. */
  public static final int DNS_ENOQUERY = DNS_EBASE + 6;
  /** The name does not resolve. */
  public static final int DNS_ENONAME = DNS_EBASE + 10;
  /** Resolving failed for good (the servers refused or failed). */
  public static final int DNS_EFAIL = DNS_EBASE + 11;
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
      case UnknownHostException u -> resolution(u);
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

  /**
   * What a failed name resolution means: a timeout, a server failure, a local socket failure (the
   * resolver could not bind, say), or else a name that does not resolve.
   */
  private static int resolution(UnknownHostException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof DnsNameResolverTimeoutException) return ETIMEDOUT;
      if (t instanceof DnsErrorCauseException d && d.getCode() != DnsResponseCode.NXDOMAIN) return DNS_EFAIL;
      if (t instanceof IOException && !(t instanceof UnknownHostException)) return of(t);
    }
    return DNS_ENONAME;
  }

  private static boolean isVerification(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String n = t.getClass().getName();
      if (n.contains("CertPath") || n.contains("Certificate")) return true;
    }
    return false;
  }
}
