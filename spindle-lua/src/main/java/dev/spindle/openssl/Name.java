package dev.spindle.openssl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * A distinguished name being read or built, one attribute per component, in order: luaossl's {@code
 * X509_NAME}. Not thread-safe (one Lua state uses it).
 */
public final class Name {
  /** An attribute type OpenSSL knows by these short and long names. */
  private record Type(String sn, String ln, String oid) {}

  private static final List<Type> TYPES = List.of(
      new Type("C", "countryName", "2.5.4.6"),
      new Type("ST", "stateOrProvinceName", "2.5.4.8"),
      new Type("L", "localityName", "2.5.4.7"),
      new Type("O", "organizationName", "2.5.4.10"),
      new Type("OU", "organizationalUnitName", "2.5.4.11"),
      new Type("CN", "commonName", "2.5.4.3"),
      new Type("emailAddress", "emailAddress", "1.2.840.113549.1.9.1"),
      new Type("serialNumber", "serialNumber", "2.5.4.5"),
      new Type("street", "streetAddress", "2.5.4.9"),
      new Type("DC", "domainComponent", "0.9.2342.19200300.100.1.25"),
      new Type("UID", "userId", "0.9.2342.19200300.100.1.1"),
      new Type("title", "title", "2.5.4.12"),
      new Type("GN", "givenName", "2.5.4.42"),
      new Type("SN", "surname", "2.5.4.4"),
      new Type("name", "name", "2.5.4.41"),
      new Type("postalCode", "postalCode", "2.5.4.17"),
      new Type("dnQualifier", "dnQualifier", "2.5.4.46"));

  private record Entry(ASN1ObjectIdentifier oid, String value) {}

  private final List<Entry> entries = new ArrayList<>();

  public Name() {}

  /** A copy of {@code n}'s components (multi-valued components are flattened, in order). */
  public static Name of(X500Name n) {
    Name out = new Name();
    for (RDN rdn : n.getRDNs()) {
      for (AttributeTypeAndValue tv : rdn.getTypesAndValues()) out.entries.add(new Entry(tv.getType(), text(tv.getValue())));
    }
    return out;
  }

  private static String text(ASN1Encodable v) {
    return v instanceof ASN1String s ? s.getString() : v.toString();
  }

  /**
   * Appends a component: {@code type} is OpenSSL's short or long name ("CN", "commonName") or a dotted OID.
   *
   * @throws IllegalArgumentException for an unknown type
   */
  public void add(String type, String value) {
    entries.add(new Entry(oid(type), value));
  }

  private static ASN1ObjectIdentifier oid(String type) {
    for (Type t : TYPES) if (t.sn.equals(type) || t.ln.equals(type)) return new ASN1ObjectIdentifier(t.oid);
    for (Type t : TYPES) if (t.sn.equalsIgnoreCase(type) || t.ln.equalsIgnoreCase(type)) return new ASN1ObjectIdentifier(t.oid);
    if (type.matches("[0-2](\\.[0-9]+)+")) return new ASN1ObjectIdentifier(type);
    try {
      return BCStyle.INSTANCE.attrNameToOID(type.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown name type '" + type + "'");
    }
  }

  /** The name as X.500 (country and serial numbers as PrintableString, e-mail as IA5String, the rest UTF-8). */
  public X500Name toX500() {
    X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
    for (Entry e : entries) b.addRDN(e.oid, e.value);
    return b.build();
  }

  /** OpenSSL's one-line form: {@code /C=US/CN=localhost}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Entry e : entries) s.append('/').append(shortName(e.oid)).append('=').append(e.value);
    return s.toString();
  }

  /** Per component: short name, long name, OID, value (nulls where OpenSSL has no name). */
  public List<Object> flat() {
    List<Object> out = new ArrayList<>();
    for (Entry e : entries) {
      Type t = known(e.oid);
      out.add(t == null ? null : t.sn);
      out.add(t == null ? null : t.ln);
      out.add(e.oid.getId());
      out.add(e.value);
    }
    return out;
  }

  private static Type known(ASN1ObjectIdentifier oid) {
    for (Type t : TYPES) if (t.oid.equals(oid.getId())) return t;
    return null;
  }

  private static String shortName(ASN1ObjectIdentifier oid) {
    Type t = known(oid);
    return t == null ? oid.getId() : t.sn;
  }
}
