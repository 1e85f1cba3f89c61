package dev.spindle.openssl;

import dev.spindle.kernel.net.TlsContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.stream.Stream;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Trusted certificates: luaossl's {@code X509_STORE}. Like an OpenSSL store set on a context, it stays
 * linked: a certificate added later is trusted by every context using the store. Not thread-safe (one Lua
 * state uses it); the contexts it updates are.
 */
public final class TrustStore {
  private final List<X509Certificate> certs = new ArrayList<>();
  // weak: a context nothing else uses any more needs no updates (TlsContext has identity equality)
  private final Set<TlsContext> users = Collections.newSetFromMap(new WeakHashMap<>());

  public void add(X509Certificate c) {
    certs.add(c);
    for (TlsContext u : users) u.setTrust(certs);
  }

  /**
   * Adds every certificate in the PEM file {@code p}, or in each PEM file directly inside the directory
   * {@code p} (other files are skipped). Returns how many were added.
   *
   * @throws IllegalArgumentException if none was found
   */
  public int addPath(Path p) throws IOException, CertificateException {
    List<X509Certificate> found = new ArrayList<>();
    if (Files.isDirectory(p)) {
      try (Stream<Path> files = Files.list(p)) {
        for (Path f : files.sorted().toList()) {
          if (!Files.isRegularFile(f)) continue;
          try {
            found.addAll(readPem(f));
          } catch (IllegalArgumentException notPem) {
            // a directory of certificates may hold other files too
          }
        }
      }
    } else {
      found.addAll(readPem(p));
    }
    if (found.isEmpty()) throw new IllegalArgumentException("no certificate in " + p);
    for (X509Certificate c : found) add(c);
    return found.size();
  }

  private static List<X509Certificate> readPem(Path f) throws IOException, CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    for (PemObject o : Pem.blocks(Files.readAllBytes(f))) {
      if (o.getType().equals("CERTIFICATE")) out.add(X509.parse(o.getContent()).certificate());
    }
    return out;
  }

  /** Makes {@code ctx} trust exactly this store's certificates, now and as they are added. */
  public void link(TlsContext ctx) {
    users.add(ctx);
    ctx.setTrust(certs);
  }

  /** Stops updating {@code ctx} (it has been given another store). */
  public void unlink(TlsContext ctx) {
    users.remove(ctx);
  }

  public int size() {
    return certs.size();
  }
}
