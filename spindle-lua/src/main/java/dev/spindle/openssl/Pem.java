package dev.spindle.openssl;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/** PEM text in and out: the blocks of a text, and one block written with 64-column lines. */
final class Pem {
  private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

  private Pem() {}

  /** {@code der} as a PEM block labelled {@code label}, ending in a newline. */
  static String encode(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + BASE64.encodeToString(der) + "\n-----END " + label + "-----\n";
  }

  /** True if {@code data} looks like PEM text rather than DER bytes. */
  static boolean isPem(byte[] data) {
    return new String(data, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
  }

  /** Every PEM block in {@code data}, in order; blocks that do not decode end the list with an error. */
  static List<PemObject> blocks(byte[] data) {
    List<PemObject> out = new ArrayList<>();
    try (PemReader r = new PemReader(new StringReader(new String(data, StandardCharsets.ISO_8859_1)))) {
      for (PemObject o = r.readPemObject(); o != null; o = r.readPemObject()) out.add(o);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
    }
    return out;
  }

  /** The DER of the first block labelled with one of {@code labels}, or null. */
  static byte[] first(byte[] data, String... labels) {
    for (PemObject o : blocks(data)) {
      for (String l : labels) if (o.getType().equals(l)) return o.getContent();
    }
    return null;
  }
}
