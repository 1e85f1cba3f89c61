package dev.spindle.openssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.net.TlsContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Certificates built the way the openssl.* Lua modules build them pass the JDK's TLS checks, host name
 * included. The handshake runs between two embedded channels whose bytes are passed across by hand.
 */
@Timeout(20)
class OpenSslHandshakeTest {
  /** A self-signed CA certificate for localhost, as testcerts.lua makes it. */
  private static X509 selfSigned(Pkey key) throws Exception {
    Name dn = new Name();
    dn.add("CN", "localhost");
    AltNames alt = new AltNames();
    alt.add("DNS", "localhost");
    alt.add("IP", "127.0.0.1");
    X509 x = new X509();
    x.setSubject(dn);
    x.setIssuer(dn);
    x.setSubjectAlt(alt);
    x.setPublicKey(key.publicKey());
    x.setBasicConstraints(true, null);
    x.setBasicConstraintsCritical(true);
    x.setLifetime(Instant.now().minusSeconds(3600), Instant.now().plusSeconds(86400));
    x.sign(key, null);
    return x;
  }

  /** Runs a handshake to its end; returns the client's failure, or null. */
  private static Throwable handshake(TlsContext server, TlsContext client, String host) {
    SslHandler s = server.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, null, 0);
    SslHandler c = client.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, host, 443);
    EmbeddedChannel sc = new EmbeddedChannel(s);
    EmbeddedChannel cc = new EmbeddedChannel(c);
    for (int i = 0; i < 50 && !(c.handshakeFuture().isDone() && s.handshakeFuture().isDone()); i++) {
      if (!pump(cc, sc) & !pump(sc, cc)) break;
    }
    assertTrue(c.handshakeFuture().isDone(), "the client handshake neither finished nor failed");
    sc.finishAndReleaseAll();
    cc.finishAndReleaseAll();
    return c.handshakeFuture().cause();
  }

  /** Moves what {@code from} wrote into {@code to}; false if there was nothing. */
  private static boolean pump(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (ByteBuf b = from.readOutbound(); b != null; b = from.readOutbound()) {
      moved = true;
      if (!to.isOpen()) {
        b.release();
        continue;
      }
      try {
        to.writeInbound(b);
      } catch (Exception failed) {
        // the handshake failed on that side; its future says why
      }
    }
    return moved;
  }

  private static TlsContext server(Pkey key, X509 crt) {
    return TlsContext.server().setCertificateChain(List.of(crt.certificate())).setPrivateKey(key.privateKey());
  }

  @Test
  void ecCertificateVerifiesForLocalhostAndItsAddress() throws Exception {
    Pkey key = Pkey.generate("EC", null, null, "prime256v1");
    X509 crt = selfSigned(key);
    TrustStore store = new TrustStore();
    store.add(crt.certificate());
    TlsContext client = TlsContext.client();
    store.link(client);
    assertNull(handshake(server(key, crt), client, "localhost"));
    assertNull(handshake(server(key, crt), client, "127.0.0.1"));
    assertTrue(String.valueOf(handshake(server(key, crt), client, "example.com")).contains("example.com"));
  }

  @Test
  void aStoreLinkedToAContextUpdatesItsTrust() throws Exception {
    Pkey key = Pkey.generate("RSA", 2048L, null, null);
    X509 crt = selfSigned(key);
    TrustStore store = new TrustStore();
    TlsContext client = TlsContext.client();
    store.link(client);
    assertTrue(handshake(server(key, crt), client, "localhost") != null, "an empty store trusts nothing");
    store.add(crt.certificate());
    assertNull(handshake(server(key, crt), client, "localhost"));
  }

  @Test
  void parsedKeysAndCertificatesWorkToo() throws Exception {
    Pkey key = Pkey.generate("EC", null, null, "secp384r1");
    X509 crt = selfSigned(key);
    Pkey key2 = Pkey.parse(key.toPem(true).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    X509 crt2 = X509.parse(crt.toPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(crt.certificate(), crt2.certificate());
    TlsContext client = TlsContext.client().setTrust(List.of(crt2.certificate()));
    assertNull(handshake(server(key2, crt2), client, "localhost"));
  }
}
