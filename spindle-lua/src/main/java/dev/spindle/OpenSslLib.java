package dev.spindle;

import dev.spindle.kernel.net.TlsContext;
import dev.spindle.openssl.AltNames;
import dev.spindle.openssl.Name;
import dev.spindle.openssl.Pkey;
import dev.spindle.openssl.TrustStore;
import dev.spindle.openssl.X509;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import party.iroiro.luajava.Lua;

/**
 * The host side of the luaossl subset (spindle/openssl/*.lua): {@code K.ossl(op, ...)} returns {@code true,
 * results...} or {@code false, message}; core.lua turns the message into an error naming the Lua function.
 * Every object lives here, in the state's {@link Handles}; Lua holds its handle. A context's handle refers to
 * the {@link TlsContext} itself, so socket code can fetch it with {@code handles().get(h, TlsContext.class)}.
 *
 * <p>Arguments are checked for type on the Lua side; here they are checked for meaning. Runs on the reactor
 * thread, called from Lua.
 */
final class OpenSslLib {
  private OpenSslLib() {}

  static void push(Lua lua, LuaHost host) {
    lua.push(l -> call(l, host.handles()));
    lua.setField(-2, "ossl");
  }

  private static int call(Lua l, Handles hs) {
    int top = l.getTop();
    l.push(true);
    try {
      return 1 + op(l, hs, LuaValues.string(l, 1));
    } catch (Exception e) { // bad input surfaces as a message, never as a Java exception in Lua
      l.setTop(top);
      l.push(false);
      LuaValues.push(l, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
      return 2;
    }
  }

  /** Performs {@code op} with the arguments from index 2, pushes its results and returns their count. */
  private static int op(Lua l, Handles hs, String op) throws Exception {
    return switch (op) {
      case "release" -> {
        hs.remove(l.toInteger(2));
        yield 0;
      }
      case "pkey_generate" -> add(l, hs, Pkey.generate(str(l, 2), optLong(l, 3), optLong(l, 4), str(l, 5)));
      case "pkey_parse" -> add(l, hs, Pkey.parse(bytes(l, 2)));
      case "pkey_pem" -> ret(l, obj(l, hs, 2, Pkey.class).toPem("private".equals(str(l, 3))));
      case "pkey_type" -> ret(l, obj(l, hs, 2, Pkey.class).typeName());
      case "x509_new" -> add(l, hs, new X509());
      case "x509_parse" -> add(l, hs, X509.parse(bytes(l, 2)));
      case "name_new" -> add(l, hs, new Name());
      case "alt_new" -> add(l, hs, new AltNames());
      case "store_new" -> add(l, hs, new TrustStore());
      case "ctx_new" -> add(l, hs, context(str(l, 2), l.toBoolean(3)));
      default -> {
        if (op.startsWith("x509_")) yield x509(l, hs, op, obj(l, hs, 2, X509.class));
        if (op.startsWith("ctx_")) yield context(l, hs, op, obj(l, hs, 2, TlsContext.class));
        yield other(l, hs, op);
      }
    };
  }

  private static int x509(Lua l, Handles hs, String op, X509 x) throws Exception {
    switch (op) {
      case "x509_pem" -> {
        return ret(l, x.toPem());
      }
      case "x509_get_name" -> {
        return add(l, hs, "issuer".equals(str(l, 3)) ? x.issuer() : x.subject());
      }
      case "x509_set_name" -> {
        Name n = obj(l, hs, 3, Name.class);
        if ("issuer".equals(str(l, 4))) x.setIssuer(n);
        else x.setSubject(n);
      }
      case "x509_get_alt" -> {
        AltNames a = x.subjectAlt();
        if (a == null) return 0;
        add(l, hs, a);
        l.push(x.subjectAltCritical());
        return 2;
      }
      case "x509_set_alt" -> x.setSubjectAlt(obj(l, hs, 3, AltNames.class));
      case "x509_set_alt_critical" -> x.setSubjectAltCritical(l.toBoolean(3));
      case "x509_get_pubkey" -> {
        return x.publicKey() == null ? 0 : add(l, hs, Pkey.ofPublic(x.publicKey()));
      }
      case "x509_set_pubkey" -> x.setPublicKey(obj(l, hs, 3, Pkey.class).publicKey());
      case "x509_get_serial" -> {
        BigInteger s = x.serial();
        return ret(l, s.bitLength() < 64 ? (Object) s.longValueExact() : s.toString());
      }
      case "x509_set_serial" -> x.setSerial(l.isInteger(3) ? BigInteger.valueOf(l.toInteger(3)) : serial(str(l, 3)));
      case "x509_get_lifetime" -> {
        return ret(l, x.notBefore().getEpochSecond(), x.notAfter().getEpochSecond());
      }
      case "x509_set_lifetime" -> x.setLifetime(instant(l, 3), instant(l, 4));
      case "x509_get_bc" -> {
        return ret(l, x.ca(), x.pathLen(), x.basicConstraintsCritical());
      }
      case "x509_set_bc" -> x.setBasicConstraints(l.toBoolean(3), optLong(l, 4) == null ? null : Math.toIntExact(l.toInteger(4)));
      case "x509_set_bc_critical" -> x.setBasicConstraintsCritical(l.toBoolean(3));
      case "x509_sign" -> x.sign(obj(l, hs, 3, Pkey.class), str(l, 4));
      case "x509_digest" -> {
        l.push(LuaHost.direct(x.digest(str(l, 3))));
        return 1;
      }
      case "x509_version" -> {
        return ret(l, x.version());
      }
      default -> throw new IllegalArgumentException("unknown operation " + op);
    }
    return 0;
  }

  private static int context(Lua l, Handles hs, String op, TlsContext ctx) {
    switch (op) {
      case "ctx_set_cert" -> ctx.setCertificateChain(List.of(obj(l, hs, 3, X509.class).certificate()));
      case "ctx_set_key" -> {
        Pkey k = obj(l, hs, 3, Pkey.class);
        if (k.privateKey() == null) throw new IllegalArgumentException("the key has no private half");
        ctx.setPrivateKey(k.privateKey());
      }
      case "ctx_set_store" -> {
        if (!l.isNil(4)) obj(l, hs, 4, TrustStore.class).unlink(ctx);
        obj(l, hs, 3, TrustStore.class).link(ctx);
      }
      case "ctx_set_verify" -> ctx.setVerify(Math.toIntExact(l.toInteger(3)));
      case "ctx_get_verify" -> {
        return ret(l, ctx.verify());
      }
      case "ctx_set_hostcheck" -> ctx.setHostnameCheck(l.toBoolean(3));
      case "ctx_get_hostcheck" -> {
        return ret(l, ctx.hostnameCheck());
      }
      default -> throw new IllegalArgumentException("unknown operation " + op);
    }
    return 0;
  }

  /** Names, alternative names and stores. */
  private static int other(Lua l, Handles hs, String op) throws Exception {
    switch (op) {
      case "name_add" -> obj(l, hs, 2, Name.class).add(str(l, 3), str(l, 4));
      case "name_flat" -> {
        List<Object> flat = obj(l, hs, 2, Name.class).flat(); // has nils: the count goes first
        return ret(l, flat.size(), flat);
      }
      case "name_string" -> {
        return ret(l, obj(l, hs, 2, Name.class).toString());
      }
      case "alt_add" -> obj(l, hs, 2, AltNames.class).add(str(l, 3), str(l, 4));
      case "alt_add_dirname" -> obj(l, hs, 2, AltNames.class).addDirName(obj(l, hs, 3, Name.class));
      case "alt_flat" -> {
        return ret(l, obj(l, hs, 2, AltNames.class).flat());
      }
      case "store_add" -> obj(l, hs, 2, TrustStore.class).add(obj(l, hs, 3, X509.class).certificate());
      case "store_add_path" -> {
        return ret(l, obj(l, hs, 2, TrustStore.class).addPath(Path.of(str(l, 3))));
      }
      default -> throw new IllegalArgumentException("unknown operation " + op);
    }
    return 0;
  }

  /**
   * A context for luaossl's {@code context.new(protocol, server)}: "TLS", "SSLv23" and "SSL" (or nil) enable
   * what the JDK enables (TLS 1.3 and 1.2); "TLSv1.2" and "TLSv1.3" (or "TLSv1_2", "TLSv1_3") pin one version.
   * Older versions and DTLS are refused, not silently upgraded.
   */
  private static TlsContext context(String protocol, boolean server) {
    TlsContext ctx = server ? TlsContext.server() : TlsContext.client();
    String p = protocol == null ? "TLS" : protocol;
    switch (p) {
      case "TLS", "SSLv23", "SSL" -> {}
      case "TLSv1.2", "TLSv1_2" -> ctx.setProtocols(List.of("TLSv1.2"));
      case "TLSv1.3", "TLSv1_3" -> ctx.setProtocols(List.of("TLSv1.3"));
      case "TLSv1", "TLSv1.1", "TLSv1_1", "SSLv3", "SSLv2" ->
          throw new IllegalArgumentException("protocol '" + p + "' is not supported (insecure): use 'TLS', 'TLSv1.2' or 'TLSv1.3'");
      default -> throw new IllegalArgumentException("unknown protocol '" + p + "' (TLS, TLSv1.2 or TLSv1.3)");
    }
    return ctx;
  }

  private static BigInteger serial(String s) {
    try {
      return s.startsWith("0x") || s.startsWith("0X") ? new BigInteger(s.substring(2), 16) : new BigInteger(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a serial number: '" + s + "' (decimal, or hexadecimal after 0x)");
    }
  }

  private static Instant instant(Lua l, int i) {
    return l.isNil(i) || l.isNone(i) ? null : Instant.ofEpochSecond((long) Math.floor(l.toNumber(i)));
  }

  /** Registers {@code o} and pushes its handle. */
  private static int add(Lua l, Handles hs, Object o) {
    l.push(hs.add(o));
    return 1;
  }

  private static int ret(Lua l, Object... values) {
    for (Object v : values) LuaValues.push(l, v);
    return values.length;
  }

  private static <T> T obj(Lua l, Handles hs, int i, Class<T> type) {
    T o = hs.get(l.toInteger(i), type);
    if (o == null) throw new IllegalStateException("stale " + type.getSimpleName() + " handle");
    return o;
  }

  private static String str(Lua l, int i) {
    return l.isNil(i) || l.isNone(i) ? null : LuaValues.string(l, i);
  }

  private static Long optLong(Lua l, int i) {
    return l.isNil(i) || l.isNone(i) ? null : l.toInteger(i);
  }

  private static byte[] bytes(Lua l, int i) {
    ByteBuffer b = l.toBuffer(i);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
