package dev.spindle.openssl;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A key pair, or a public key alone: luaossl's {@code EVP_PKEY}. RSA and EC keys, on the JDK's providers.
 * Immutable.
 */
public final class Pkey {
  /** OpenSSL's curve names (and the NIST ones) to the JDK's. */
  private static final Map<String, String> CURVES = Map.of(
      "prime256v1", "secp256r1", "secp256r1", "secp256r1", "p-256", "secp256r1",
      "secp384r1", "secp384r1", "p-384", "secp384r1",
      "secp521r1", "secp521r1", "p-521", "secp521r1");
  private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter();

  private final PublicKey publicKey;
  private final PrivateKey privateKey; // null: a public key alone

  private Pkey(PublicKey publicKey, PrivateKey privateKey) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /** A public key alone. */
  public static Pkey ofPublic(PublicKey key) {
    return new Pkey(key, null);
  }

  /**
   * A new key pair: {@code type} "RSA" ({@code bits}, default 2048; {@code exponent}, default 65537) or "EC"
   * ({@code curve}, default prime256v1; also secp384r1 and secp521r1).
   */
  public static Pkey generate(String type, Long bits, Long exponent, String curve) throws GeneralSecurityException {
    KeyPairGenerator g;
    switch (type.toUpperCase(Locale.ROOT)) {
      case "RSA" -> {
        long n = bits == null ? 2048 : bits;
        if (n < 1024 || n > 16384) throw new IllegalArgumentException("RSA bits must be 1024 to 16384, got " + n);
        long e = exponent == null ? 65537 : exponent;
        if (e < 3 || e % 2 == 0) throw new IllegalArgumentException("RSA exponent must be odd and at least 3, got " + e);
        g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new RSAKeyGenParameterSpec((int) n, BigInteger.valueOf(e)));
      }
      case "EC" -> {
        String c = CURVES.get((curve == null ? "prime256v1" : curve).toLowerCase(Locale.ROOT));
        if (c == null) throw new IllegalArgumentException("unsupported curve '" + curve + "' (prime256v1, secp384r1 or secp521r1)");
        g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(c));
      }
      default -> throw new IllegalArgumentException("unsupported key type '" + type + "' (RSA or EC)");
    }
    KeyPair p = g.generateKeyPair();
    return new Pkey(p.getPublic(), p.getPrivate());
  }

  /**
   * The key in {@code data}: PEM ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY") or DER
   * (PKCS#8 private key or SubjectPublicKeyInfo). Encrypted keys are not supported.
   */
  public static Pkey parse(byte[] data) throws IOException, GeneralSecurityException {
    Object o;
    if (Pem.isPem(data)) {
      try (PEMParser p = new PEMParser(new java.io.StringReader(new String(data, java.nio.charset.StandardCharsets.ISO_8859_1)))) {
        o = p.readObject();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("not a PEM key: " + e.getMessage(), e);
      }
    } else {
      o = derKey(data);
    }
    return switch (o) {
      case PEMKeyPair kp -> {
        KeyPair pair = CONVERTER.getKeyPair(kp);
        yield new Pkey(pair.getPublic(), pair.getPrivate());
      }
      case PrivateKeyInfo info -> {
        PrivateKey k = CONVERTER.getPrivateKey(info);
        yield new Pkey(publicOf(k), k);
      }
      case SubjectPublicKeyInfo info -> new Pkey(CONVERTER.getPublicKey(info), null);
      case null -> throw new IllegalArgumentException("not a PEM or DER key");
      default -> throw new IllegalArgumentException("not a key (found " + describe(o) + ")");
    };
  }

  private static Object derKey(byte[] der) {
    try {
      return PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException notPrivate) {
      try {
        return SubjectPublicKeyInfo.getInstance(der);
      } catch (RuntimeException notPublic) {
        return null;
      }
    }
  }

  private static String describe(Object o) {
    String n = o.getClass().getSimpleName();
    if (n.contains("Encrypted")) return "an encrypted key, which is not supported";
    if (n.contains("Certificate")) return "a certificate";
    return n;
  }

  /** The public half of {@code k}, which PKCS#8 does not always carry. */
  private static PublicKey publicOf(PrivateKey k) throws GeneralSecurityException {
    if (k instanceof RSAPrivateCrtKey rsa) {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
    }
    if (k instanceof ECPrivateKey ec) {
      var spec = EC5Util.convertSpec(ec.getParams());
      var q = new FixedPointCombMultiplier().multiply(spec.getG(), ec.getS()).normalize();
      ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
    }
    throw new IllegalArgumentException("unsupported key type " + k.getAlgorithm() + " (RSA or EC)");
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** The private key, or null for a public key alone. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** PEM: "PRIVATE KEY" (PKCS#8) when {@code priv}, else "PUBLIC KEY" (SubjectPublicKeyInfo). */
  public String toPem(boolean priv) {
    if (!priv) return Pem.encode("PUBLIC KEY", publicKey.getEncoded());
    if (privateKey == null) throw new IllegalArgumentException("no private key (a public key alone)");
    return Pem.encode("PRIVATE KEY", privateKey.getEncoded());
  }

  /** OpenSSL's short name of the key type: "rsaEncryption" or "id-ecPublicKey". */
  public String typeName() {
    return switch (publicKey.getAlgorithm()) {
      case "RSA" -> "rsaEncryption";
      case "EC" -> "id-ecPublicKey";
      default -> publicKey.getAlgorithm();
    };
  }

  /** The JCA signature algorithm for {@code digest} ("sha256" by default) with this key. */
  String signatureAlgorithm(String digest) {
    String d = (digest == null ? "sha256" : digest).toLowerCase(Locale.ROOT).replace("-", "");
    String hash = switch (d) {
      case "sha1" -> "SHA1";
      case "sha224" -> "SHA224";
      case "sha256" -> "SHA256";
      case "sha384" -> "SHA384";
      case "sha512" -> "SHA512";
      default -> throw new IllegalArgumentException("unsupported digest '" + digest + "' (sha1, sha224, sha256, sha384 or sha512)");
    };
    return switch (publicKey.getAlgorithm()) {
      case "RSA" -> hash + "withRSA";
      case "EC" -> hash + "withECDSA";
      default -> throw new IllegalArgumentException("cannot sign with a " + publicKey.getAlgorithm() + " key");
    };
  }
}
