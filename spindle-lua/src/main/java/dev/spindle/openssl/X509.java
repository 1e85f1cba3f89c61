package dev.spindle.openssl;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate being read, changed or built: luaossl's mutable {@code X509}. Any change drops the signature,
 * so {@link #certificate()} (and PEM output) needs a {@link #sign} after the last change; a parsed
 * certificate keeps its extensions other than basic constraints and subjectAltName through a re-signing.
 * Not thread-safe (one Lua state uses it).
 */
public final class X509 {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration DEFAULT_LIFETIME = Duration.ofDays(365);

  private X500Name subject = new X500Name(new RDN[0]);
  private X500Name issuer = subject;
  private BigInteger serial = new BigInteger(63, RANDOM);
  private Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private Instant notAfter = notBefore.plus(DEFAULT_LIFETIME);
  private PublicKey publicKey; // null until set
  private Boolean ca; // null: no basic constraints extension
  private Integer pathLen; // null: no limit
  private boolean basicConstraintsCritical;
  private GeneralNames subjectAlt; // null: no subjectAltName extension
  private boolean subjectAltCritical;
  private final List<Extension> otherExtensions = new ArrayList<>();
  private X509Certificate signed; // null: never signed, or changed since

  /** An empty certificate: random serial, valid from now for 365 days, no names, no key. */
  public X509() {}

  /** The certificate in {@code data}: PEM ("CERTIFICATE") or DER. */
  public static X509 parse(byte[] data) throws CertificateException {
    byte[] der = Pem.isPem(data) ? Pem.first(data, "CERTIFICATE", "X509 CERTIFICATE") : data;
    if (der == null) throw new IllegalArgumentException("not a PEM certificate");
    X509CertificateHolder h;
    try {
      h = new X509CertificateHolder(der);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(Pem.isPem(data) ? "malformed PEM certificate" : "not a PEM or DER certificate");
    }
    return of(new JcaX509CertificateConverter().getCertificate(h), h);
  }

  /** {@code cert}, as read. */
  public static X509 of(X509Certificate cert) throws CertificateException {
    try {
      return of(cert, new X509CertificateHolder(cert.getEncoded()));
    } catch (IOException e) {
      throw new CertificateException(e);
    }
  }

  private static X509 of(X509Certificate cert, X509CertificateHolder h) {
    X509 x = new X509();
    x.subject = h.getSubject();
    x.issuer = h.getIssuer();
    x.serial = h.getSerialNumber();
    x.notBefore = h.getNotBefore().toInstant();
    x.notAfter = h.getNotAfter().toInstant();
    x.publicKey = cert.getPublicKey();
    Extensions exts = h.getExtensions();
    if (exts != null) {
      for (var oid : exts.getExtensionOIDs()) {
        Extension e = exts.getExtension(oid);
        if (oid.equals(Extension.basicConstraints)) {
          BasicConstraints bc = BasicConstraints.getInstance(e.getParsedValue());
          x.ca = bc.isCA();
          x.pathLen = bc.getPathLenConstraint() == null ? null : bc.getPathLenConstraint().intValueExact();
          x.basicConstraintsCritical = e.isCritical();
        } else if (oid.equals(Extension.subjectAlternativeName)) {
          x.subjectAlt = GeneralNames.getInstance(e.getParsedValue());
          x.subjectAltCritical = e.isCritical();
        } else {
          x.otherExtensions.add(e);
        }
      }
    }
    x.signed = cert;
    return x;
  }

  /** The signed certificate. @throws IllegalStateException if never signed or changed since */
  public X509Certificate certificate() {
    if (signed == null) throw new IllegalStateException("certificate not signed (or changed since): call sign first");
    return signed;
  }

  public Name subject() {
    return Name.of(subject);
  }

  public void setSubject(Name n) {
    subject = n.toX500();
    signed = null;
  }

  public Name issuer() {
    return Name.of(issuer);
  }

  public void setIssuer(Name n) {
    issuer = n.toX500();
    signed = null;
  }

  /** The public key, or null if none was set. */
  public PublicKey publicKey() {
    return publicKey;
  }

  public void setPublicKey(PublicKey k) {
    publicKey = k;
    signed = null;
  }

  public BigInteger serial() {
    return serial;
  }

  public void setSerial(BigInteger s) {
    if (s.signum() < 0) throw new IllegalArgumentException("serial must not be negative");
    serial = s;
    signed = null;
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant notAfter() {
    return notAfter;
  }

  /** Sets either end of the validity period (null leaves it). */
  public void setLifetime(Instant before, Instant after) {
    if (before != null) notBefore = before;
    if (after != null) notAfter = after;
    signed = null;
  }

  /** Basic constraints: null if the certificate has none. */
  public Boolean ca() {
    return ca;
  }

  public Integer pathLen() {
    return pathLen;
  }

  /** Sets basic constraints (adding the extension); {@code pathLen} null means no limit. */
  public void setBasicConstraints(boolean isCa, Integer pathLen) {
    if (pathLen != null && pathLen < 0) throw new IllegalArgumentException("pathLen must not be negative");
    this.ca = isCa;
    this.pathLen = isCa ? pathLen : null;
    signed = null;
  }

  public boolean basicConstraintsCritical() {
    return basicConstraintsCritical;
  }

  public void setBasicConstraintsCritical(boolean critical) {
    basicConstraintsCritical = critical;
    signed = null;
  }

  /** The subjectAltName names, or null if the certificate has none. */
  public AltNames subjectAlt() {
    return subjectAlt == null ? null : AltNames.of(subjectAlt);
  }

  public void setSubjectAlt(AltNames names) {
    if (names.isEmpty()) throw new IllegalArgumentException("empty altname");
    subjectAlt = names.toGeneralNames();
    signed = null;
  }

  public boolean subjectAltCritical() {
    return subjectAltCritical;
  }

  public void setSubjectAltCritical(boolean critical) {
    subjectAltCritical = critical;
    signed = null;
  }

  /** The X.509 version: 3 for everything this class signs. */
  public int version() {
    return signed == null ? 3 : signed.getVersion();
  }

  /**
   * Signs the certificate as it now stands with {@code key}'s private half, using {@code digest} ("sha256"
   * by default).
   */
  public void sign(Pkey key, String digest) throws GeneralSecurityException {
    if (key.privateKey() == null) throw new IllegalArgumentException("the key has no private half");
    if (publicKey == null) throw new IllegalStateException("no public key (call setPublicKey first)");
    if (notAfter.isBefore(notBefore)) throw new IllegalStateException("notAfter is before notBefore");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, publicKey);
    try {
      if (ca != null) {
        BasicConstraints bc = ca && pathLen != null ? new BasicConstraints(pathLen) : new BasicConstraints(ca);
        b.addExtension(Extension.basicConstraints, basicConstraintsCritical, bc);
      }
      if (subjectAlt != null) b.addExtension(Extension.subjectAlternativeName, subjectAltCritical, subjectAlt);
      for (Extension e : otherExtensions) b.addExtension(e);
      var signer = new JcaContentSignerBuilder(key.signatureAlgorithm(digest)).build(key.privateKey());
      signed = new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (IOException | OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  public String toPem() throws CertificateException {
    return Pem.encode("CERTIFICATE", certificate().getEncoded());
  }

  /** The {@code digest} (e.g. "sha256") of the signed certificate's DER. */
  public byte[] digest(String digest) throws GeneralSecurityException {
    String d = digest.toLowerCase(Locale.ROOT).replace("-", "");
    String alg = switch (d) {
      case "md5" -> "MD5";
      case "sha1" -> "SHA-1";
      case "sha224", "sha256", "sha384", "sha512" -> "SHA-" + d.substring(3);
      default -> throw new IllegalArgumentException("unsupported digest '" + digest + "'");
    };
    return MessageDigest.getInstance(alg).digest(certificate().getEncoded());
  }
}
