package dev.spindle.openssl;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Alternative names (subjectAltName) being read or built, in order: luaossl's {@code GENERAL_NAMES}. Not
 * thread-safe (one Lua state uses it).
 */
public final class AltNames {
  private final List<GeneralName> names = new ArrayList<>();

  public AltNames() {}

  public static AltNames of(GeneralNames g) {
    AltNames out = new AltNames();
    out.names.addAll(List.of(g.getNames()));
    return out;
  }

  /**
   * Appends a name: {@code type} is "DNS" (or "DNSName"), "IP" ("IPAddress": an IPv4 or IPv6 literal, never
   * looked up), "email" ("RFC822", "RFC822Name") or "URI" ("UniformResourceIdentifier").
   *
   * @throws IllegalArgumentException for an unknown type or a value that is not an IP literal
   */
  public void add(String type, String value) {
    names.add(switch (type.toUpperCase(Locale.ROOT)) {
      case "DNS", "DNSNAME" -> new GeneralName(GeneralName.dNSName, value);
      case "IP", "IPADDRESS" -> {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(value);
        if (ip == null) throw new IllegalArgumentException("not an IP address: '" + value + "'");
        yield new GeneralName(GeneralName.iPAddress, new DEROctetString(ip));
      }
      case "EMAIL", "RFC822", "RFC822NAME" -> new GeneralName(GeneralName.rfc822Name, value);
      case "URI", "UNIFORMRESOURCEIDENTIFIER" -> new GeneralName(GeneralName.uniformResourceIdentifier, value);
      default -> throw new IllegalArgumentException("unknown altname type '" + type + "' (DNS, IP, email, URI or DirName)");
    });
  }

  /** Appends a directory name. */
  public void addDirName(Name n) {
    names.add(new GeneralName(n.toX500()));
  }

  public boolean isEmpty() {
    return names.isEmpty();
  }

  public GeneralNames toGeneralNames() {
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  /** Per name: its type ("DNS", "IP", "email", "URI", "DirName" or "other") and its text. */
  public List<Object> flat() {
    List<Object> out = new ArrayList<>();
    for (GeneralName g : names) {
      switch (g.getTagNo()) {
        case GeneralName.dNSName -> out.add("DNS");
        case GeneralName.iPAddress -> out.add("IP");
        case GeneralName.rfc822Name -> out.add("email");
        case GeneralName.uniformResourceIdentifier -> out.add("URI");
        case GeneralName.directoryName -> out.add("DirName");
        default -> out.add("other");
      }
      out.add(text(g));
    }
    return out;
  }

  private static String text(GeneralName g) {
    return switch (g.getTagNo()) {
      case GeneralName.iPAddress -> {
        try {
          yield InetAddress.getByAddress(ASN1OctetString.getInstance(g.getName()).getOctets()).getHostAddress();
        } catch (UnknownHostException e) {
          yield "?"; // not 4 or 16 bytes: a malformed certificate
        }
      }
      case GeneralName.directoryName -> Name.of(X500Name.getInstance(g.getName())).toString();
      default -> g.getName() instanceof ASN1String s ? s.getString() : g.getName().toString();
    };
  }
}
