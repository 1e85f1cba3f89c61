package dev.spindle.kernel.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a TLS socket needs to know to handshake: its role, its own certificate chain and key, whom it trusts,
 * and how hard it checks the peer. The Java side of luaossl's {@code SSL_CTX}, on the JDK's TLS provider.
 *
 * <p><b>Defaults are safer than cqueues'.</b> A client verifies the server's chain against the JVM's default
 * trust store (or the roots given to {@link #setTrust}) and checks that the certificate names the host it
 * connected to, unless told otherwise ({@link #setVerify}{@code (VERIFY_NONE)}, {@link #setHostnameCheck}).
 * A server asks for a client certificate only with {@link #VERIFY_PEER}.
 *
 * <p><b>Changes after use.</b> The Netty {@link SslContext} is built on the first {@link #newHandler} and
 * cached; any setter drops the cache, so the next handler is built from the new settings. Handlers made
 * before a change keep the settings they were made with (as OpenSSL's {@code SSL} objects keep theirs when
 * the {@code SSL_CTX} changes). {@link #defaultClient()} is frozen: its setters throw.
 *
 * <p>Concurrency: every method may be called from any thread.
 */
public final class TlsContext {
  /** Do not verify the peer (client), or do not ask for a client certificate (server). */
  public static final int VERIFY_NONE = 0;
  /** Verify the peer's chain; a server asks for a client certificate but accepts a client without one. */
  public static final int VERIFY_PEER = 1;
  /** With {@link #VERIFY_PEER} on a server: a client without a certificate fails the handshake. */
  public static final int VERIFY_FAIL_IF_NO_PEER_CERT = 2;
  /** Accepted for OpenSSL compatibility; the JDK never renegotiates, so it changes nothing. */
  public static final int VERIFY_CLIENT_ONCE = 4;

  private static final int VERIFY_BITS = VERIFY_PEER | VERIFY_FAIL_IF_NO_PEER_CERT | VERIFY_CLIENT_ONCE;

  private final boolean server;
  private boolean frozen;
  private List<X509Certificate> chain; // null: none
  private PrivateKey key; // null: none
  private List<X509Certificate> trust; // null: the JVM's default trust store
  private int verify;
  private boolean hostnameCheck = true;
  private List<String> protocols; // null: the JDK's defaults (TLSv1.3 and TLSv1.2)
  private SslContext built; // null until the next newHandler

  private TlsContext(boolean server) {
    this.server = server;
    this.verify = server ? VERIFY_NONE : VERIFY_PEER;
  }

  /** A client context: verifies the server against the JVM's trust store and checks its host name. */
  public static TlsContext client() {
    return new TlsContext(false);
  }

  /** A server context: needs a certificate chain and key before use; asks for no client certificate. */
  public static TlsContext server() {
    return new TlsContext(true);
  }

  /**
   * The shared, frozen client context for a socket that starts TLS without naming one: verifying against
   * the JVM's trust store, checking the host name, sending SNI.
   */
  public static TlsContext defaultClient() {
    return DefaultClient.INSTANCE;
  }

  private static final class DefaultClient {
    static final TlsContext INSTANCE = client().freeze();
  }

  private synchronized TlsContext freeze() {
    frozen = true;
    return this;
  }

  public boolean isServer() {
    return server;
  }

  /**
   * The certificate chain to present, leaf first (null or empty: none).
   *
   * @throws IllegalArgumentException if a private key is set and does not belong to the leaf
   */
  public synchronized TlsContext setCertificateChain(List<X509Certificate> chain) {
    changing();
    List<X509Certificate> c = chain == null || chain.isEmpty() ? null : List.copyOf(chain);
    if (c != null && key != null) checkPair(key, c.getFirst().getPublicKey());
    this.chain = c;
    return this;
  }

  /**
   * The private key of the leaf certificate (null: none).
   *
   * @throws IllegalArgumentException if a certificate is set and the key does not belong to it
   */
  public synchronized TlsContext setPrivateKey(PrivateKey key) {
    changing();
    if (key != null && chain != null) checkPair(key, chain.getFirst().getPublicKey());
    this.key = key;
    return this;
  }

  /** The certificates to trust as roots when verifying the peer; null means the JVM's default trust store. */
  public synchronized TlsContext setTrust(Collection<? extends X509Certificate> roots) {
    changing();
    this.trust = roots == null ? null : List.copyOf(roots);
    return this;
  }

  /**
   * The verify mode: {@link #VERIFY_NONE}, or {@link #VERIFY_PEER} optionally with {@link
   * #VERIFY_FAIL_IF_NO_PEER_CERT} and {@link #VERIFY_CLIENT_ONCE} (OpenSSL's bits and meanings).
   *
   * @throws IllegalArgumentException for unknown bits
   */
  public synchronized TlsContext setVerify(int mode) {
    changing();
    if ((mode & ~VERIFY_BITS) != 0) {
      throw new IllegalArgumentException("unknown verify mode bits 0x" + Integer.toHexString(mode & ~VERIFY_BITS));
    }
    this.verify = mode;
    return this;
  }

  public synchronized int verify() {
    return verify;
  }

  /**
   * Whether a verifying client checks that the server's certificate names the host it connects to (default
   * true). With the check on and no host name known ({@link #newHandler} given null), the handshake fails.
   */
  public synchronized TlsContext setHostnameCheck(boolean check) {
    changing();
    this.hostnameCheck = check;
    return this;
  }

  public synchronized boolean hostnameCheck() {
    return hostnameCheck;
  }

  /** The protocol versions to enable, e.g. {@code List.of("TLSv1.2")}; null means the JDK's defaults. */
  public synchronized TlsContext setProtocols(List<String> protocols) {
    changing();
    this.protocols = protocols == null ? null : List.copyOf(protocols);
    return this;
  }

  /**
   * A handler for one connection, in this context's role. For a client, {@code peerHost} is the name or
   * address it connects to: a name is sent as SNI (an IP literal is not), and a verifying client checks the
   * certificate against it (DNS names, or IP addresses for a literal). {@code peerHost} may be null for a
   * server, or for a client that does not know the peer's name (then a host-name-checking client fails).
   * A failed handshake fails the handler's {@link SslHandler#handshakeFuture()}, within the handler's
   * handshake timeout (Netty's default 10 s, changeable on the handler).
   *
   * @throws IllegalStateException if the context cannot make a handler: a server without a certificate and
   *     key, a certificate without its key, or settings the JDK rejects (the message says which)
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort) {
    Objects.requireNonNull(alloc, "alloc");
    boolean checkName;
    SslContext ctx;
    synchronized (this) {
      ctx = built == null ? (built = build()) : built;
      checkName = !server && (verify & VERIFY_PEER) != 0 && hostnameCheck;
    }
    SslHandler handler = peerHost == null ? ctx.newHandler(alloc) : ctx.newHandler(alloc, peerHost, peerPort);
    if (!server) {
      SSLEngine engine = handler.engine();
      SSLParameters p = engine.getSSLParameters();
      if (checkName) p.setEndpointIdentificationAlgorithm("HTTPS");
      SNIHostName sni = sniName(peerHost);
      if (sni != null) p.setServerNames(List.of(sni));
      engine.setSSLParameters(p);
    }
    return handler;
  }

  private void changing() {
    if (frozen) throw new IllegalStateException("the default client context cannot be changed");
    built = null;
  }

  private SslContext build() {
    if ((chain == null) != (key == null)) {
      throw new IllegalStateException(chain == null ? "a private key without a certificate" : "a certificate without a private key");
    }
    if (server && chain == null) throw new IllegalStateException("a server context needs a certificate and a private key");
    SslContextBuilder b = server ? SslContextBuilder.forServer(key, chain) : SslContextBuilder.forClient();
    if (!server && chain != null) b.keyManager(key, chain);
    b.sslProvider(SslProvider.JDK).endpointIdentificationAlgorithm(null); // checked per engine, see newHandler
    if (protocols != null) b.protocols(protocols);
    boolean peer = (verify & VERIFY_PEER) != 0;
    try {
      if (server) {
        b.clientAuth(!peer ? ClientAuth.NONE : (verify & VERIFY_FAIL_IF_NO_PEER_CERT) != 0 ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
      if (!peer && !server) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else if (trust != null) {
        b.trustManager(trust);
      } else {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        b.trustManager(tmf);
      }
      return b.build();
    } catch (SSLException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }

  /** The SNI name for {@code host}: null for no host, an IP literal, or a name SNI cannot carry. */
  private static SNIHostName sniName(String host) {
    if (host == null || NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) return null;
    String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    try {
      return new SNIHostName(h);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Throws unless {@code key} signs what {@code pub} verifies: the key belongs to the certificate. */
  private static void checkPair(PrivateKey key, PublicKey pub) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      case "Ed448" -> "Ed448";
      default -> null;
    };
    if (alg == null) return; // an algorithm this check does not know: the handshake will tell
    boolean ok;
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      ok = v.verify(sig);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) throw new IllegalArgumentException("the private key does not match the certificate");
  }
}
