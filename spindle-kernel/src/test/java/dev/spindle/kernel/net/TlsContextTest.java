package dev.spindle.kernel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIServerName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real handshakes over loopback between two Netty channels, with certificates made in memory. */
@Timeout(30)
class TlsContextTest {
  private static EventLoopGroup group;
  private static X509Bundle localhost; // self-signed CA, SAN DNS:localhost and IP:127.0.0.1
  private static X509Bundle other; // self-signed CA for other.example
  private static X509Bundle clientCert; // issued by `other`

  @BeforeAll
  static void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    localhost = new CertificateBuilder().subject("CN=localhost").setIsCertificateAuthority(true)
        .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").ecp256().buildSelfSigned();
    other = new CertificateBuilder().subject("CN=other.example").setIsCertificateAuthority(true)
        .addSanDnsName("other.example").ecp256().buildSelfSigned();
    clientCert = new CertificateBuilder().subject("CN=client").ecp256().buildIssuedBy(other);
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Both ends of one handshake: null for success, else what failed it. */
  record Outcome(Throwable server, Throwable client, SslHandler serverHandler, SslHandler clientHandler) {
    boolean ok() {
      return server == null && client == null;
    }
  }

  /** Closes on a failure instead of letting Netty log it: the tests look at the handshake futures. */
  @ChannelHandler.Sharable
  private static final class Quiet extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static final Quiet QUIET = new Quiet();

  private static TlsContext trusting(X509Bundle root) {
    return TlsContext.client().setTrust(List.of(root.getCertificate()));
  }

  private static TlsContext server(X509Bundle b) {
    return TlsContext.server().setCertificateChain(b.getCertificatePathList()).setPrivateKey(b.getKeyPair().getPrivate());
  }

  private static Outcome handshake(TlsContext serverCtx, TlsContext clientCtx, String peerHost) throws Exception {
    CompletableFuture<SslHandler> serverSide = new CompletableFuture<>();
    Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslHandler h = serverCtx.newHandler(ch.alloc(), null, 0);
            ch.pipeline().addLast(h, QUIET);
            serverSide.complete(h);
          }
        }).bind("127.0.0.1", 0).sync().channel();
    int port = ((InetSocketAddress) listener.localAddress()).getPort();
    SslHandler[] client = new SslHandler[1];
    Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            client[0] = clientCtx.newHandler(c.alloc(), peerHost, port);
            c.pipeline().addLast(client[0], QUIET);
          }
        }).connect("127.0.0.1", port).sync().channel();
    try {
      SslHandler s = serverSide.get(5, TimeUnit.SECONDS);
      Throwable clientCause = client[0].handshakeFuture().await(5, TimeUnit.SECONDS)
          ? client[0].handshakeFuture().cause() : new AssertionError("client handshake hung");
      Throwable serverCause = s.handshakeFuture().await(5, TimeUnit.SECONDS)
          ? s.handshakeFuture().cause() : new AssertionError("server handshake hung");
      return new Outcome(serverCause, clientCause, s, client[0]);
    } finally {
      ch.close().sync();
      listener.close().sync();
    }
  }

  private static void assertFailed(Outcome o, String clientMessagePart) {
    assertFalse(o.ok(), "the handshake should have failed");
    assertTrue(o.client() != null, "the client should have failed");
    assertFalse(o.client() instanceof AssertionError, o.client().toString());
    assertTrue(String.valueOf(o.client()).contains(clientMessagePart), "client failure: " + o.client());
  }

  @Test
  void clientVerifiesTrustedSelfSignedCertificateForLocalhostAndSendsSni() throws Exception {
    TlsContext client = trusting(localhost);
    Outcome o = handshake(server(localhost), client, "localhost");
    assertTrue(o.ok(), () -> "server: " + o.server() + ", client: " + o.client());
    Certificate[] peer = o.clientHandler().engine().getSession().getPeerCertificates();
    assertEquals(localhost.getCertificate(), peer[0]);
    List<SNIServerName> sni = ((ExtendedSSLSession) o.serverHandler().engine().getSession()).getRequestedServerNames();
    assertEquals(1, sni.size());
    assertEquals("localhost", new String(sni.getFirst().getEncoded(), java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void ipLiteralIsCheckedAgainstIpAddressNamesAndNotSentAsSni() throws Exception {
    TlsContext client = trusting(localhost);
    Outcome o = handshake(server(localhost), client, "127.0.0.1");
    assertTrue(o.ok(), () -> "client: " + o.client());
    assertTrue(((ExtendedSSLSession) o.serverHandler().engine().getSession()).getRequestedServerNames().isEmpty());
  }

  @Test
  void clientRejectsCertificateFromAnotherCa() throws Exception {
    assertFailed(handshake(server(localhost), trusting(other), "localhost"), "SSLHandshakeException");
  }

  @Test
  void defaultClientRejectsSelfSignedCertificate() throws Exception {
    assertFailed(handshake(server(localhost), TlsContext.defaultClient(), "localhost"), "SSLHandshakeException");
  }

  @Test
  void clientRejectsHostNameMismatch() throws Exception {
    assertFailed(handshake(server(localhost), trusting(localhost), "other.example"), "other.example");
  }

  @Test
  void unknownHostNameFailsUnlessTheCheckIsOff() throws Exception {
    TlsContext client = trusting(localhost);
    assertFailed(handshake(server(localhost), client, null), "SSLHandshakeException");
    client.setHostnameCheck(false);
    Outcome o = handshake(server(localhost), client, null);
    assertTrue(o.ok(), () -> "client: " + o.client());
  }

  @Test
  void verifyNoneAcceptsAnUntrustedCertificateAndAMismatchedName() throws Exception {
    TlsContext client = TlsContext.client().setVerify(TlsContext.VERIFY_NONE);
    Outcome o = handshake(server(localhost), client, "other.example");
    assertTrue(o.ok(), () -> "client: " + o.client());
  }

  @Test
  void aChangeAfterUseAppliesToTheNextHandler() throws Exception {
    TlsContext client = TlsContext.client();
    assertFailed(handshake(server(localhost), client, "localhost"), "SSLHandshakeException");
    client.setTrust(List.of(localhost.getCertificate()));
    assertTrue(handshake(server(localhost), client, "localhost").ok());
  }

  @Test
  void serverWithVerifyPeerRequestsAndChecksClientCertificate() throws Exception {
    TlsContext srv = server(localhost).setVerify(TlsContext.VERIFY_PEER).setTrust(List.of(other.getCertificate()));
    TlsContext client = trusting(localhost)
        .setCertificateChain(clientCert.getCertificatePathList()).setPrivateKey(clientCert.getKeyPair().getPrivate());
    Outcome o = handshake(srv, client, "localhost");
    assertTrue(o.ok(), () -> "server: " + o.server() + ", client: " + o.client());
    assertEquals(clientCert.getCertificate(), o.serverHandler().engine().getSession().getPeerCertificates()[0]);

    // VERIFY_PEER alone makes the certificate optional ...
    TlsContext anonymous = trusting(localhost);
    assertTrue(handshake(srv, anonymous, "localhost").ok());
    // ... with VERIFY_FAIL_IF_NO_PEER_CERT a client without one fails.
    srv.setVerify(TlsContext.VERIFY_PEER | TlsContext.VERIFY_FAIL_IF_NO_PEER_CERT);
    Outcome refused = handshake(srv, anonymous, "localhost");
    assertFalse(refused.ok());
    assertTrue(refused.server() != null && !(refused.server() instanceof AssertionError), String.valueOf(refused.server()));
  }

  @Test
  void serverRejectsClientWithoutCertificateItTrusts() throws Exception {
    // the JDK's client offers only a certificate from a CA the server names, so this client sends none
    TlsContext srv = server(localhost).setVerify(TlsContext.VERIFY_PEER | TlsContext.VERIFY_FAIL_IF_NO_PEER_CERT)
        .setTrust(List.of(localhost.getCertificate()));
    TlsContext client = trusting(localhost)
        .setCertificateChain(clientCert.getCertificatePathList()).setPrivateKey(clientCert.getKeyPair().getPrivate());
    Outcome o = handshake(srv, client, "localhost");
    assertFalse(o.ok());
    assertTrue(o.server() != null && !(o.server() instanceof AssertionError), String.valueOf(o.server()));
  }

  @Test
  void protocolsCanBePinned() throws Exception {
    TlsContext client = trusting(localhost).setProtocols(List.of("TLSv1.2"));
    Outcome o = handshake(server(localhost), client, "localhost");
    assertTrue(o.ok(), () -> "client: " + o.client());
    assertEquals("TLSv1.2", o.clientHandler().engine().getSession().getProtocol());
  }

  @Test
  void defaultsAndRoles() {
    assertFalse(TlsContext.client().isServer());
    assertTrue(TlsContext.server().isServer());
    assertEquals(TlsContext.VERIFY_PEER, TlsContext.client().verify());
    assertEquals(TlsContext.VERIFY_NONE, TlsContext.server().verify());
    assertTrue(TlsContext.client().hostnameCheck());
    assertSame(TlsContext.defaultClient(), TlsContext.defaultClient());
    assertEquals(TlsContext.VERIFY_PEER, TlsContext.defaultClient().verify());
  }

  @Test
  void badConfigurationIsReportedNotHidden() {
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TlsContext.server().newHandler(alloc, null, 0));
    assertTrue(e.getMessage().contains("needs a certificate"), e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> TlsContext.client().setPrivateKey(clientCert.getKeyPair().getPrivate()).newHandler(alloc, "localhost", 443));
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> server(localhost).setPrivateKey(other.getKeyPair().getPrivate()));
    assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TlsContext.server().setPrivateKey(other.getKeyPair().getPrivate()).setCertificateChain(List.of(localhost.getCertificate())));
    assertThrows(IllegalArgumentException.class, () -> TlsContext.client().setVerify(64));
    assertThrows(IllegalStateException.class, () -> TlsContext.defaultClient().setVerify(TlsContext.VERIFY_NONE));
    assertThrows(IllegalStateException.class, () -> TlsContext.defaultClient().setTrust(null));
  }
}
