package dev.spindle.kernel.net;

import dev.spindle.kernel.reactor.Reactor;
import dev.spindle.kernel.reactor.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A stub resolver on a reactor: asks name servers (the system's, from resolv.conf, or given ones) through
 * Netty's {@link DnsNameResolver}, after a {@link HostsTable} that answers A, AAAA and PTR questions without
 * any network. Every answer arrives on the reactor thread; nothing here blocks it.
 *
 * <p>Failures are error numbers: {@link Errno#DNS_ENONAME} when the name does not resolve (NXDOMAIN, or no
 * record of that type), {@link Errno#ETIMEDOUT} when no answer came in time, {@link Errno#DNS_EFAIL} when
 * the servers refused or failed, {@link Errno#DNS_EILLEGAL} for a name that cannot be asked,
 * {@link Errno#ECANCELED} for a lookup aborted or a resolver closed first.
 *
 * <p>Concurrency: reactor only. {@link #open}, {@link #query} and {@link #close} must be called on the
 * reactor's thread, and every callback runs there.
 */
public final class Resolver implements AutoCloseable {
  /** Record types with a decoded form in {@link Record#data}. */
  public static final int A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33,
      SPF = 99;
  /** The Internet class. */
  public static final int IN = 1;
  /** The time to live of an answer from the hosts table (cqueues gives them none either). */
  public static final long HOSTS_TTL = 0;

  /**
   * How to resolve.
   *
   * @param nameServers the servers to ask, in order; empty: the system's
   * @param search the search domains; null: the system's
   * @param ndots names with fewer dots are tried with the search domains first; negative: the system's
   * @param attemptTimeoutMillis how long to wait for one server's answer; 0 or less: the system's
   * @param attempts how many times each of {@code nameServers} is asked (at least once)
   * @param recursionDesired whether queries ask the server to recurse (a stub resolver does)
   * @param hosts consulted before any server, for A, AAAA and PTR
   * @param dns false to answer from {@code hosts} only
   * @param local the address the queries are sent from (cqueues' interface); null: any
   */
  public record Options(List<InetSocketAddress> nameServers, List<String> search, int ndots,
      long attemptTimeoutMillis, int attempts, boolean recursionDesired, HostsTable hosts, boolean dns,
      InetSocketAddress local) {
    public Options {
      nameServers = List.copyOf(nameServers);
      search = search == null ? null : List.copyOf(search);
      attempts = Math.max(1, attempts);
      if (hosts == null) hosts = HostsTable.EMPTY;
    }

    /** The system's configuration: resolv.conf and the hosts file. */
    public static Options system() {
      return new Options(List.of(), null, -1, 0, 1, true, HostsTable.system(), true, null);
    }

    /** Only {@code servers}, asked {@code attempts} times each, with no search domains, and {@code hosts}. */
    public static Options servers(List<InetSocketAddress> servers, long attemptTimeoutMillis, int attempts,
        HostsTable hosts) {
      return new Options(servers, List.of(), 1, attemptTimeoutMillis, attempts, true, hosts, true, null);
    }
  }

  /**
   * One resource record of an answer.
   *
   * @param name the owner name, fully qualified (with a trailing dot)
   * @param data by type: A and AAAA the address as text; NS, CNAME and PTR the host name; MX preference and
   *     host; SRV priority, weight, port and target; SOA mname, rname, serial, refresh, retry, expire and
   *     minimum; TXT and SPF the character strings as byte arrays; any other type its raw rdata as one byte array.
   *     Host names are fully qualified; numbers are Integer or Long.
   */
  public record Record(String name, int type, int dnsClass, long ttl, List<Object> data) {}

  /** The outcome of a lookup: the answer records, or an error number (0 on success). */
  public record Answer(int error, List<Record> records) {
    public Answer {
      records = List.copyOf(records);
    }

    static Answer failed(int error) {
      return new Answer(error, List.of());
    }
  }

  private final Reactor reactor;
  private final Options options;
  private final DnsNameResolver dns;
  private final List<Lookup> pending = new ArrayList<>(); // reactor only
  private AddressResolverGroup<InetSocketAddress> connectGroup; // reactor only; made on first use
  private boolean closed; // reactor only

  private Resolver(Reactor reactor, Options o) {
    this.reactor = reactor;
    this.options = o;
    DnsNameResolverBuilder b = new DnsNameResolverBuilder(reactor.eventLoop())
        .datagramChannelType(NioDatagramChannel.class)
        .socketChannelType(NioSocketChannel.class) // TCP for truncated answers
        .hostsFileEntriesResolver(o.hosts())
        .recursionDesired(o.recursionDesired());
    if (!o.nameServers().isEmpty()) {
      List<InetSocketAddress> stream = new ArrayList<>();
      for (int i = 0; i < o.attempts(); i++) stream.addAll(o.nameServers());
      b.nameServerProvider(new SequentialDnsServerAddressStreamProvider(stream));
      b.maxQueriesPerResolve(Math.max(16, stream.size()));
    } else {
      b.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
    }
    if (o.search() != null) b.searchDomains(o.search());
    if (o.ndots() >= 0) b.ndots(o.ndots());
    if (o.attemptTimeoutMillis() > 0) b.queryTimeoutMillis(o.attemptTimeoutMillis());
    if (o.local() != null) b.localAddress(o.local());
    this.dns = b.build();
  }

  /** A resolver on {@code reactor}'s event loop. Reactor thread. */
  public static Resolver open(Reactor reactor, Options options) {
    return new Resolver(reactor, options);
  }

  public Options options() {
    return options;
  }

  /**
   * Starts looking up records of {@code type} and {@code dnsClass} for {@code name} (with or without a
   * trailing dot). The hosts table answers A, AAAA and PTR questions it knows without any network; other
   * questions go to the name servers, with the search domains, the CNAME chain followed. With
   * {@code timeoutMillis} >= 0 the lookup ends with ETIMEDOUT after that long at the latest; without, it
   * still ends once every server attempt has timed out. Reactor thread.
   */
  public Lookup query(String name, int type, int dnsClass, long timeoutMillis) {
    assert reactor.inLoop() : "query off the reactor thread";
    Lookup l = new Lookup();
    if (closed) return l.finishLater(Answer.failed(Errno.ECANCELED));
    Answer local = fromHosts(name, type, dnsClass);
    if (local != null) return l.finishLater(local);
    if (!options.dns()) return l.finishLater(Answer.failed(Errno.DNS_ENONAME));
    DefaultDnsQuestion q;
    try {
      q = new DefaultDnsQuestion(name, DnsRecordType.valueOf(type), dnsClass);
    } catch (IllegalArgumentException e) {
      return l.finishLater(Answer.failed(Errno.DNS_EILLEGAL));
    }
    pending.add(l);
    if (timeoutMillis >= 0) l.timer = reactor.schedule(timeoutMillis * 1_000_000L, () -> l.finish(Answer.failed(Errno.ETIMEDOUT)));
    Future<List<DnsRecord>> f = dns.resolveAll(q);
    l.future = f;
    f.addListener(done -> {
      if (done.isCancelled()) return; // finished already
      if (!done.isSuccess()) {
        l.finish(Answer.failed(Errno.of(done.cause())));
        return;
      }
      List<DnsRecord> records = f.getNow();
      try {
        l.finish(decode(records));
      } finally {
        for (DnsRecord r : records) ReferenceCountUtil.release(r);
      }
    });
    return l;
  }

  /** The answer of the hosts table, or null if it does not know the question. */
  private Answer fromHosts(String name, int type, int dnsClass) {
    if (dnsClass != IN && dnsClass != DnsRecord.CLASS_ANY) return null;
    HostsTable hosts = options.hosts();
    String owner = fqdn(name);
    List<Record> out = new ArrayList<>();
    if (type == A || type == AAAA) {
      for (InetAddress a : hosts.addresses(name, type == AAAA)) {
        out.add(new Record(owner, type, IN, HOSTS_TTL, List.of(text(a))));
      }
    } else if (type == PTR) {
      InetAddress a = reverse(name);
      if (a != null) {
        for (String n : hosts.names(a)) out.add(new Record(owner, PTR, IN, HOSTS_TTL, List.of(fqdn(n))));
      }
    }
    return out.isEmpty() ? null : new Answer(0, out);
  }

  /** The address a reverse name ({@code 4.3.2.1.in-addr.arpa}, 32 nibbles {@code .ip6.arpa}) stands for, or null. */
  static InetAddress reverse(String name) {
    String n = HostsTable.key(name);
    boolean v4 = n.endsWith(".in-addr.arpa"), v6 = n.endsWith(".ip6.arpa");
    if (!v4 && !v6) return null;
    String[] labels = n.substring(0, n.length() - (v4 ? 13 : 9)).split("\\.");
    if (labels.length != (v4 ? 4 : 32)) return null;
    StringBuilder ip = new StringBuilder();
    for (int i = labels.length - 1; i >= 0; i--) {
      ip.append(labels[i]);
      if (v4 && i > 0) ip.append('.');
      if (v6 && i > 0 && i % 4 == 0) ip.append(':');
    }
    return HostsTable.literal(ip.toString());
  }

  private static String fqdn(String name) {
    return name.endsWith(".") ? name : name + ".";
  }

  private static String text(InetAddress a) {
    return NetUtil.bytesToIpAddress(a.getAddress()); // "::1", not Java's "0:0:0:0:0:0:0:1"
  }

  private static Answer decode(List<DnsRecord> records) {
    List<Record> out = new ArrayList<>(records.size());
    for (DnsRecord r : records) {
      out.add(new Record(fqdn(r.name()), r.type().intValue(), r.dnsClass() & 0xffff, r.timeToLive(), data(r)));
    }
    return new Answer(0, out);
  }

  private static List<Object> data(DnsRecord r) {
    if (r instanceof DnsPtrRecord p) return List.of(fqdn(p.hostname()));
    if (!(r instanceof DnsRawRecord raw)) return List.of();
    ByteBuf c = raw.content().duplicate(); // for compressed names the whole message, indexed at the rdata
    int at = c.readerIndex();
    return switch (r.type().intValue()) {
      case A, AAAA -> List.of(NetUtil.bytesToIpAddress(ByteBufUtil.getBytes(c)));
      case NS, CNAME, PTR -> List.of(DefaultDnsRecordDecoder.decodeName(c));
      case MX -> List.of(c.getUnsignedShort(at), DefaultDnsRecordDecoder.decodeName(c.skipBytes(2)));
      case SRV -> List.of(c.getUnsignedShort(at), c.getUnsignedShort(at + 2), c.getUnsignedShort(at + 4),
          DefaultDnsRecordDecoder.decodeName(c.skipBytes(6)));
      case SOA -> {
        String mname = DefaultDnsRecordDecoder.decodeName(c), rname = DefaultDnsRecordDecoder.decodeName(c);
        yield List.of(mname, rname, c.readUnsignedInt(), c.readUnsignedInt(), c.readUnsignedInt(),
            c.readUnsignedInt(), c.readUnsignedInt());
      }
      case TXT, SPF -> {
        List<Object> strings = new ArrayList<>();
        while (c.isReadable()) strings.add(ByteBufUtil.getBytes(c.readSlice(c.readUnsignedByte())));
        yield strings;
      }
      default -> List.of(ByteBufUtil.getBytes(c));
    };
  }

  /**
   * Netty's address resolver group over this resolver, for a Bootstrap that connects by name: the same
   * hosts table and name servers, without blocking the reactor. Reactor thread.
   */
  public AddressResolverGroup<InetSocketAddress> addressResolverGroup() {
    if (connectGroup == null) {
      connectGroup = new AddressResolverGroup<>() {
        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
          return new InetSocketAddressResolver(executor, dns) {
            @Override
            public void close() {
              // the DnsNameResolver is the Resolver's own; Resolver.close closes it
            }
          };
        }
      };
    }
    return connectGroup;
  }

  /** Aborts every lookup in progress (they end with ECANCELED) and closes the resolver's sockets. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Lookup l : new ArrayList<>(pending)) l.finish(Answer.failed(Errno.ECANCELED));
    if (connectGroup != null) connectGroup.close();
    dns.close();
  }

  /**
   * One lookup in progress: the owner polls {@link #done}, or registers one-shot callbacks that run when it
   * ends. It ends exactly once. Reactor only.
   */
  public final class Lookup {
    private final Callbacks onDone = new Callbacks();
    private Answer answer;
    private Timer timer;
    private Future<List<DnsRecord>> future;

    private Lookup() {}

    public boolean done() {
      return answer != null;
    }

    /** The answer once {@link #done}, else null. */
    public Answer answer() {
      return answer;
    }

    /** Runs {@code r} once when the lookup ends (at once, later on the reactor, if it has ended). */
    public void onDone(Runnable r) {
      if (answer != null) reactor.execute(r);
      else onDone.add(r);
    }

    /** Forgets a callback no longer wanted; true if it was still registered. */
    public boolean cancel(Runnable r) {
      return onDone.remove(r);
    }

    /** Runs every registered callback now, as if the lookup had ended (cqueues.cancel); it goes on. */
    public void fireAll() {
      onDone.fire();
    }

    /** Ends the lookup with ECANCELED unless it has ended. */
    public void abort() {
      finish(Answer.failed(Errno.ECANCELED));
    }

    private Lookup finishLater(Answer a) {
      reactor.execute(() -> finish(a));
      return this;
    }

    private void finish(Answer a) {
      if (answer != null) return;
      answer = a;
      pending.remove(this);
      if (timer != null) timer.cancel();
      if (future != null && !future.isDone()) future.cancel(false);
      onDone.fire();
    }
  }
}
