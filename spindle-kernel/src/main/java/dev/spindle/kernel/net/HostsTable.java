package dev.spindle.kernel.net;

import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A hosts file (or several, plus entries added by hand), read once: addresses by name and the canonical
 * names of an address, for answers that need no network. It is also the {@link HostsFileEntriesResolver} of
 * the Netty resolver behind {@link Resolver}, so a socket connecting by name sees the same entries.
 *
 * <p>The first name on a line is the canonical one; the others are aliases. A reverse (PTR) lookup answers
 * with canonical names only, as cqueues' hosts table does. Names compare case-insensitively, without a
 * trailing dot.
 *
 * <p>Concurrency: immutable once built; any thread.
 */
public final class HostsTable implements HostsFileEntriesResolver {
  /** No entries at all. */
  public static final HostsTable EMPTY = new Builder().build();

  private final Map<String, List<InetAddress>> byName;
  private final Map<InetAddress, List<String>> canonical;

  private HostsTable(Builder b) {
    this.byName = Map.copyOf(b.byName);
    this.canonical = Map.copyOf(b.canonical);
  }

  /** The system's hosts file ({@code /etc/hosts}, or Windows' own); empty if it cannot be read. */
  public static HostsTable system() {
    Builder b = new Builder();
    b.loadSilently(systemPath());
    return b.build();
  }

  static Path systemPath() {
    String root = System.getenv("SystemRoot");
    if (System.getProperty("os.name", "").startsWith("Windows") && root != null) {
      return Path.of(root, "System32", "drivers", "etc", "hosts");
    }
    return Path.of("/etc/hosts");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The addresses of {@code name} of one family, in file order; empty if it has none. */
  public List<InetAddress> addresses(String name, boolean ipv6) {
    List<InetAddress> all = byName.getOrDefault(key(name), List.of());
    List<InetAddress> out = new ArrayList<>(all.size());
    for (InetAddress a : all) {
      if ((a instanceof Inet6Address) == ipv6) out.add(a);
    }
    return out;
  }

  /** The canonical names of {@code address}, in file order; empty if it has none. */
  public List<String> names(InetAddress address) {
    return canonical.getOrDefault(address, List.of());
  }

  /** The first address of {@code inetHost} that {@code types} allows, the preferred family first. */
  @Override
  public InetAddress address(String inetHost, ResolvedAddressTypes types) {
    List<InetAddress> v4 = addresses(inetHost, false), v6 = addresses(inetHost, true);
    return switch (types) {
      case IPV4_ONLY -> first(v4);
      case IPV6_ONLY -> first(v6);
      case IPV4_PREFERRED -> v4.isEmpty() ? first(v6) : v4.get(0);
      case IPV6_PREFERRED -> v6.isEmpty() ? first(v4) : v6.get(0);
    };
  }

  private static InetAddress first(List<InetAddress> list) {
    return list.isEmpty() ? null : list.get(0);
  }

  static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** Collects entries from files and by hand. Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<InetAddress>> byName = new LinkedHashMap<>();
    private final Map<InetAddress, List<String>> canonical = new HashMap<>();

    private Builder() {}

    /** Adds every entry of a hosts file. */
    public Builder load(Path file) throws IOException {
      for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) parseLine(line);
      return this;
    }

    /** Adds every entry of a hosts file, or nothing if it cannot be read. */
    public Builder loadSilently(Path file) {
      try {
        return load(file);
      } catch (IOException | SecurityException e) {
        return this;
      }
    }

    /**
     * Adds {@code name} for the literal address {@code ip}, as a canonical name unless {@code alias}.
     * Throws IllegalArgumentException if {@code ip} is not a literal IPv4 or IPv6 address.
     */
    public Builder add(String ip, String name, boolean alias) {
      InetAddress a = literal(ip);
      if (a == null) throw new IllegalArgumentException(ip + ": not an IP address");
      byName.computeIfAbsent(key(name), k -> new ArrayList<>(2)).add(a);
      if (!alias) canonical.computeIfAbsent(a, k -> new ArrayList<>(1)).add(stripDot(name));
      return this;
    }

    private void parseLine(String line) {
      int hash = line.indexOf('#');
      String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
      if (f.length < 2 || literal(f[0]) == null) return;
      for (int i = 1; i < f.length; i++) add(f[0], f[i], i > 1);
    }

    public HostsTable build() {
      return new HostsTable(this);
    }
  }

  /** The address written as a literal (an IPv6 zone is dropped), or null; never a DNS lookup. */
  static InetAddress literal(String ip) {
    int zone = ip.indexOf('%');
    byte[] b = NetUtil.createByteArrayFromIpAddressString(zone >= 0 ? ip.substring(0, zone) : ip);
    if (b == null) return null;
    try {
      InetAddress a = InetAddress.getByAddress(b);
      // an IPv4-mapped IPv6 literal comes back as an Inet4Address; keep it in the family it was written in
      return a instanceof Inet4Address && ip.contains(":") ? Inet6Address.getByAddress(null, b, null) : a;
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }
}
