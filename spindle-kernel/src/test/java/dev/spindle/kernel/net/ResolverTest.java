package dev.spindle.kernel.net;

import static dev.spindle.kernel.reactor.ReactorTesting.onLoop;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.kernel.reactor.Reactor;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResolverTest {
  private Reactor reactor;
  private DnsStub stub;
  private Resolver resolver;

  @BeforeEach
  void setUp() throws Exception {
    reactor = Reactor.start("resolver-test");
    stub = new DnsStub();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (resolver != null) onLoop(reactor, () -> {
      resolver.close();
      return null;
    });
    stub.close();
    reactor.close();
  }

  private Resolver open(HostsTable hosts) throws Exception {
    Resolver.Options o = Resolver.Options.servers(List.of(stub.address()), 1000, 1, hosts);
    resolver = onLoop(reactor, () -> Resolver.open(reactor, o));
    return resolver;
  }

  /** Looks {@code name} up and waits for the answer, which must arrive on the reactor thread. */
  private Resolver.Answer ask(String name, int type, long timeoutMillis) throws Exception {
    CompletableFuture<Resolver.Answer> f = new CompletableFuture<>();
    onLoop(reactor, () -> {
      Resolver.Lookup l = resolver.query(name, type, Resolver.IN, timeoutMillis);
      l.onDone(() -> {
        if (reactor.inLoop()) f.complete(l.answer());
        else f.completeExceptionally(new AssertionError("answer off the reactor thread"));
      });
      return null;
    });
    return f.get(5, TimeUnit.SECONDS);
  }

  private static List<Object> only(Resolver.Answer a) {
    assertEquals(0, a.error(), "error");
    assertEquals(1, a.records().size(), "records");
    return a.records().get(0).data();
  }

  @Test
  void query_nameInHostsFile_answersA_AAAA_PTR_withoutAskingTheServer(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hosts");
    Files.writeString(file, "# test\n10.9.8.7  madeup.test  alias.test\n2001:db8::7 madeup.test\n", StandardCharsets.US_ASCII);
    open(HostsTable.builder().load(file).build());

    Resolver.Answer a = ask("madeup.test", Resolver.A, 1000);
    assertEquals(List.of("10.9.8.7"), only(a));
    Resolver.Record r = a.records().get(0);
    assertEquals("madeup.test.", r.name());
    assertEquals(Resolver.A, r.type());
    assertEquals(Resolver.IN, r.dnsClass());
    assertEquals(List.of("2001:db8::7"), only(ask("MadeUp.Test.", Resolver.AAAA, 1000)));
    assertEquals(List.of("10.9.8.7"), only(ask("alias.test", Resolver.A, 1000)));
    assertEquals(List.of("madeup.test."), only(ask("7.8.9.10.in-addr.arpa", Resolver.PTR, 1000)));
    String v6 = "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
    assertEquals(List.of("madeup.test."), only(ask(v6, Resolver.PTR, 1000)));
    assertEquals(0, stub.queries(), "queries sent to the name server");
  }

  @Test
  void query_stubServer_answersA_PTR_MX_TXT() throws Exception {
    stub.address("www.example.test", "192.0.2.10").address("www.example.test", "192.0.2.11")
        .ptr("10.2.0.192.in-addr.arpa", "www.example.test.")
        .mx("example.test", 10, "mail.example.test")
        .txt("example.test", "v=spf1 -all", "second");
    open(HostsTable.EMPTY);

    Resolver.Answer a = ask("www.example.test", Resolver.A, 2000);
    assertEquals(0, a.error());
    assertEquals(List.of("192.0.2.10", "192.0.2.11"), a.records().stream().map(r -> r.data().get(0)).toList());
    assertEquals(60, a.records().get(0).ttl());
    assertEquals(List.of("www.example.test."), only(ask("10.2.0.192.in-addr.arpa", Resolver.PTR, 2000)));
    assertEquals(List.of(10, "mail.example.test."), only(ask("example.test", Resolver.MX, 2000)));
    List<Object> txt = only(ask("example.test", Resolver.TXT, 2000));
    assertArrayEquals("v=spf1 -all".getBytes(StandardCharsets.UTF_8), (byte[]) txt.get(0));
    assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), (byte[]) txt.get(1));
  }

  @Test
  void query_cname_answersTheTargetsRecordsOnly() throws Exception {
    stub.cname("alias.example.test", "real.example.test", "192.0.2.20");
    open(HostsTable.EMPTY);
    Resolver.Answer a = ask("alias.example.test", Resolver.A, 2000);
    assertEquals(List.of("192.0.2.20"), only(a));
    assertEquals("real.example.test.", a.records().get(0).name());
  }

  @Test
  void query_unknownName_failsWithDnsEnoname() throws Exception {
    open(HostsTable.EMPTY);
    Resolver.Answer a = ask("nosuch.example.test", Resolver.A, 2000);
    assertEquals(Errno.DNS_ENONAME, a.error());
    assertTrue(a.records().isEmpty());
    assertTrue(stub.queries() > 0);
  }

  @Test
  void query_serverFailure_failsWithDnsEfail() throws Exception {
    stub.fail("broken.example.test", DnsResponseCode.SERVFAIL);
    open(HostsTable.EMPTY);
    assertEquals(Errno.DNS_EFAIL, ask("broken.example.test", Resolver.A, 2000).error());
  }

  @Test
  void query_silentServer_timesOutWithEtimedoutQuickly() throws Exception {
    stub.silent = true;
    open(HostsTable.EMPTY);
    long t0 = System.nanoTime();
    Resolver.Answer a = ask("www.example.test", Resolver.A, 200);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(Errno.ETIMEDOUT, a.error());
    assertTrue(ms >= 190 && ms < 900, "took " + ms + " ms");
  }

  @Test
  void query_silentServerWithoutTimeout_endsWhenTheAttemptsTimeOut() throws Exception {
    stub.silent = true;
    Resolver.Options o = Resolver.Options.servers(List.of(stub.address()), 150, 2, HostsTable.EMPTY);
    resolver = onLoop(reactor, () -> Resolver.open(reactor, o));
    assertEquals(Errno.ETIMEDOUT, ask("www.example.test", Resolver.A, -1).error());
    assertEquals(2, stub.queries(), "one query per attempt");
  }

  @Test
  void query_hostsOnly_unknownNameFailsWithoutNetwork() throws Exception {
    Resolver.Options o = new Resolver.Options(List.of(stub.address()), List.of(), 1, 1000, 1, true,
        HostsTable.builder().add("10.0.0.1", "known.test", false).build(), false, null);
    resolver = onLoop(reactor, () -> Resolver.open(reactor, o));
    assertEquals(List.of("10.0.0.1"), only(ask("known.test", Resolver.A, 1000)));
    assertEquals(Errno.DNS_ENONAME, ask("unknown.test", Resolver.A, 1000).error());
    assertEquals(0, stub.queries());
  }

  @Test
  void close_withLookupInFlight_endsItWithEcanceled() throws Exception {
    stub.silent = true;
    open(HostsTable.EMPTY);
    CompletableFuture<Resolver.Answer> f = new CompletableFuture<>();
    onLoop(reactor, () -> {
      Resolver.Lookup l = resolver.query("www.example.test", Resolver.A, Resolver.IN, 5000);
      l.onDone(() -> f.complete(l.answer()));
      assertFalse(l.done());
      resolver.close();
      return null;
    });
    assertEquals(Errno.ECANCELED, f.get(5, TimeUnit.SECONDS).error());
  }

  @Test
  void reverse_parsesInAddrAndIp6Names() throws Exception {
    assertEquals(InetAddress.getByName("1.2.3.4"), Resolver.reverse("4.3.2.1.in-addr.arpa."));
    assertEquals(InetAddress.getByName("::1"),
        Resolver.reverse("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"));
    assertNull(Resolver.reverse("3.2.1.in-addr.arpa"));
    assertNull(Resolver.reverse("www.example.test"));
  }

  @Test
  void connect_byNameThroughResolver_unknownNameIsDnsEnonameAndHostsNameConnects() throws Exception {
    open(HostsTable.builder().add("127.0.0.1", "here.test", false).build());
    Listener ln = onLoop(reactor, () -> Listener.bind(reactor, new InetSocketAddress("127.0.0.1", 0), true, false, true));
    while (!onLoop(reactor, ln::settled)) Thread.sleep(5);
    int port = onLoop(reactor, () -> ((InetSocketAddress) ln.localAddress()).getPort());
    StreamSocket bad = onLoop(reactor, () -> StreamSocket.connect(reactor,
        InetSocketAddress.createUnresolved("nosuch.example.test", port), null, true, resolver));
    StreamSocket good = onLoop(reactor, () -> StreamSocket.connect(reactor,
        InetSocketAddress.createUnresolved("here.test", port), null, true, resolver));
    assertEquals(Errno.DNS_ENONAME, settle(bad));
    assertEquals(0, settle(good));
    onLoop(reactor, () -> {
      bad.close();
      good.close();
      ln.close();
      return null;
    });
  }

  /** Waits until {@code s} has connected or failed; returns its error. */
  private int settle(StreamSocket s) throws Exception {
    CompletableFuture<Integer> f = new CompletableFuture<>();
    onLoop(reactor, () -> {
      if (!s.handshaking()) f.complete(s.error());
      else s.onWritable(() -> f.complete(s.error()));
      return null;
    });
    return f.get(5, TimeUnit.SECONDS);
  }
}
