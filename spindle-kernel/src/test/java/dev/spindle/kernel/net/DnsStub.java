package dev.spindle.kernel.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsPtrRecord;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny DNS server on 127.0.0.1 for tests: answers the records it was given, NXDOMAIN for names it does
 * not know, or, when {@link #silent}, nothing at all. Runs on its own event loop.
 */
final class DnsStub implements AutoCloseable {
  private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, List<Function<String, DnsRecord>>> answers = new ConcurrentHashMap<>();
  private final Map<String, DnsResponseCode> codes = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final Channel channel;
  volatile boolean silent;

  DnsStub() throws InterruptedException {
    channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<NioDatagramChannel>() {
          @Override
          protected void initChannel(NioDatagramChannel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answerer());
          }
        })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  int queries() {
    return queries.get();
  }

  private static String key(String name, DnsRecordType type) {
    return HostsTable.key(name) + "/" + type.intValue();
  }

  private DnsStub add(String name, DnsRecordType type, Function<String, DnsRecord> record) {
    answers.computeIfAbsent(key(name, type), k -> new ArrayList<>()).add(record);
    return this;
  }

  DnsStub address(String name, String ip) {
    byte[] b = NetUtil.createByteArrayFromIpAddressString(ip);
    DnsRecordType t = b.length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
    return add(name, t, owner -> new DefaultDnsRawRecord(owner, t, 60, Unpooled.wrappedBuffer(b)));
  }

  DnsStub ptr(String name, String host) {
    return add(name, DnsRecordType.PTR, owner -> new DefaultDnsPtrRecord(owner, DnsRecord.CLASS_IN, 60, host));
  }

  DnsStub mx(String name, int preference, String host) {
    return add(name, DnsRecordType.MX, owner -> {
      ByteBuf rdata = Unpooled.buffer().writeShort(preference);
      writeName(rdata, host);
      return new DefaultDnsRawRecord(owner, DnsRecordType.MX, 60, rdata);
    });
  }

  DnsStub txt(String name, String... strings) {
    return add(name, DnsRecordType.TXT, owner -> {
      ByteBuf rdata = Unpooled.buffer();
      for (String s : strings) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        rdata.writeByte(b.length).writeBytes(b);
      }
      return new DefaultDnsRawRecord(owner, DnsRecordType.TXT, 60, rdata);
    });
  }

  /** Answers A questions about {@code alias} with a CNAME to {@code target} and target's address. */
  DnsStub cname(String alias, String target, String ip) {
    add(alias, DnsRecordType.A, owner -> {
      ByteBuf rdata = Unpooled.buffer();
      writeName(rdata, target);
      return new DefaultDnsRawRecord(owner, DnsRecordType.CNAME, 60, rdata);
    });
    byte[] b = NetUtil.createByteArrayFromIpAddressString(ip);
    return add(alias, DnsRecordType.A, owner -> new DefaultDnsRawRecord(target + ".", DnsRecordType.A, 60, Unpooled.wrappedBuffer(b)));
  }

  /** Answers every question about {@code name} with {@code code} and no records. */
  DnsStub fail(String name, DnsResponseCode code) {
    codes.put(HostsTable.key(name), code);
    return this;
  }

  private static void writeName(ByteBuf out, String name) {
    for (String label : HostsTable.key(name).split("\\.")) {
      byte[] b = label.getBytes(StandardCharsets.US_ASCII);
      out.writeByte(b.length).writeBytes(b);
    }
    out.writeByte(0);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
  }

  private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      queries.incrementAndGet();
      if (silent) return;
      DnsQuestion q = query.recordAt(DnsSection.QUESTION);
      DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      r.setRecursionAvailable(true);
      r.addRecord(DnsSection.QUESTION, q);
      List<Function<String, DnsRecord>> found = answers.get(key(q.name(), q.type()));
      DnsResponseCode code = codes.get(HostsTable.key(q.name()));
      if (code != null) {
        r.setCode(code);
      } else if (found != null) {
        for (Function<String, DnsRecord> f : found) r.addRecord(DnsSection.ANSWER, f.apply(q.name()));
      } else if (!answers.keySet().stream().anyMatch(k -> k.startsWith(HostsTable.key(q.name()).toLowerCase(Locale.ROOT) + "/"))) {
        r.setCode(DnsResponseCode.NXDOMAIN);
      }
      ctx.writeAndFlush(r);
    }
  }
}
