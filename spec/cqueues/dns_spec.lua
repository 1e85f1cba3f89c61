-- cqueues.dns without internet: a hosts file written here, and a DNS stub on 127.0.0.1 run from Lua.
--
-- The stub is a UDP socket connected to the port the resolver sends from (pinned with the config's
-- interface), so its answers come from the name server address the resolver asked.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local socket = require "cqueues.socket"
local errno = require "cqueues.errno"
local stdnse = require "stdnse"
local dns = require "cqueues.dns"
local resolver = require "cqueues.dns.resolver"
local resolvers = require "cqueues.dns.resolvers"
local config = require "cqueues.dns.config"
local hosts = require "cqueues.dns.hosts"
local packet = require "cqueues.dns.packet"
local record = require "cqueues.dns.record"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

-- A hosts file with a made-up name, IPv4 and IPv6.
local hostsfile = os.tmpname()
do
  local f = assert(io.open(hostsfile, "w"))
  f:write("# spindle dns spec\n10.77.0.1  madeup.spindle.test  alias.spindle.test\n2001:db8::77 madeup.spindle.test\n")
  f:close()
end

local function hostsobj()
  local h = hosts.new()
  assert(h:loadpath(hostsfile))
  return h
end

-- A UDP port nobody uses right now.
local function free_port()
  local s = assert(socket.listen { host = "127.0.0.1", port = 0, type = socket.SOCK_DGRAM })
  assert(s:listen())
  local _, _, port = s:localname()
  s:close()
  cqueues.sleep(0.01) -- NIO releases the port of a closed channel at the reactor's next select
  return port
end

local function name(s)
  local out = {}
  for label in s:gmatch("[^.]+") do out[#out + 1] = string.pack("s1", label) end
  return table.concat(out) .. "\0"
end

local rdata = {
  [record.type.A] = function(ip) return string.char(ip:match("(%d+)%.(%d+)%.(%d+)%.(%d+)")) end,
  [record.type.PTR] = name,
}

-- The reply to query datagram `q` from `zone` (name -> type name -> values): the records, or NXDOMAIN.
local function reply(q, zone)
  local id = string.unpack(">I2", q)
  local labels, pos = {}, 13
  while q:byte(pos) ~= 0 do
    labels[#labels + 1] = q:sub(pos + 1, pos + q:byte(pos))
    pos = pos + q:byte(pos) + 1
  end
  local qtype = string.unpack(">I2", q, pos + 1)
  local known = zone[table.concat(labels, "."):lower()]
  local values = known and known[record.type[qtype]] or {}
  local parts = { string.pack(">I2I2I2I2I2I2", id, known and 0x8180 or 0x8183, 1, #values, 0, 0), q:sub(13, pos + 4) }
  for _, v in ipairs(values) do
    parts[#parts + 1] = string.pack(">I2I2I2I4s2", 0xC00C, qtype, 1, 300, rdata[qtype](v))
  end
  return table.concat(parts)
end

-- A stub serving `n` queries from `zone` (never answering if `zone` is false), and a config that points
-- a resolver at it. Returns serve(), to run in some coroutine, the config, and the stub's socket.
local function stub(zone, n)
  local from = free_port()
  local so = assert(socket.connect { host = "127.0.0.1", port = from, type = socket.SOCK_DGRAM })
  so:setmode("b", "b")
  assert(so:connect())
  local _, _, port = so:localname()
  local cfg = config.new { nameserver = { ("[127.0.0.1]:%d"):format(port) }, interface = ("[127.0.0.1]:%d"):format(from),
    options = { timeout = 1, attempts = 1 } }
  local function serve()
    for _ = 1, n do
      local q = so:read("*a")
      if zone and q then so:write(reply(q, zone)) end
    end
    so:close()
  end
  return serve, cfg, so
end

local zone = {
  ["www.stub.test"] = { A = { "192.0.2.1", "192.0.2.2" } },
  ["1.2.0.192.in-addr.arpa"] = { PTR = { "www.stub.test" } },
}

local function answers(pkt, t)
  local out = {}
  for rr in pkt:grep { section = "answer", type = t } do out[#out + 1] = tostring(rr) end
  return out
end

it("the modules load; types and sections map names to numbers and back", function()
  eq(record.type.A, 1)
  eq(record.type.AAAA, 28)
  eq(record.type.PTR, 12)
  eq(record.type[28], "AAAA")
  eq(record.class.IN, 1)
  eq(packet.section.ANSWER, 2)
  eq(resolver.type(42), nil)
  eq(resolvers.type(dns.getpool()), "dns resolver pool")
  eq(config.type(config.new()), "dns config")
  eq(hosts.type(hosts.new()), "dns hosts")
  eq(packet.type(packet.new()), "dns packet")
  local r = resolver.stub { nameserver = { "127.0.0.1" } } -- stub{...} takes what config.new takes
  eq(resolver.type(r), "dns resolver")
  r:close()
end)

it("a hosts file answers A, AAAA and PTR for a made-up name, with no name server asked", function()
  local _, cfg, so = stub(false, 1) -- a name server that never answers: any query would time out
  local r = resolver.new(cfg, hostsobj())
  local t0 = cqueues.monotime()
  local pkt = assert(r:query("madeup.spindle.test", "A", "IN", 0.5))
  eq(pkt:count(), 2) -- the question and one answer
  eq(pkt:count(packet.section.ANSWER), 1)
  local rr = pkt:grep { section = "answer" }()
  eq(rr:type(), record.type.A)
  eq(rr:class(), record.class.IN)
  eq(rr:name(), "madeup.spindle.test.")
  eq(rr:addr(), "10.77.0.1")
  eq(rr:section(), packet.section.ANSWER)
  eq(rr:ttl(), 0)
  eq(tostring(rr), "10.77.0.1")
  eq(record.type(rr), "dns record")
  same(answers(assert(r:query("madeup.spindle.test", record.type.AAAA)), "AAAA"), { "2001:db8::77" })
  same(answers(assert(r:query("ALIAS.spindle.test.", "a")), record.type.A), { "10.77.0.1" })
  local ptr = assert(r:query("1.0.77.10.in-addr.arpa", "PTR")):grep { section = packet.section.ANSWER }()
  eq(ptr:host(), "madeup.spindle.test.")
  eq(cqueues.monotime() - t0 < 0.4, true, "answered from the hosts file")
  r:close()
  so:close()
end)

it("dns.query goes through the pool, also from many coroutines of a controller at once", function()
  local old = dns.setpool(resolvers.new(config.new { lookup = { "file" } }, hostsobj()))
  local cq, got = cqueues.new(), {}
  for i = 1, 40 do
    cq:wrap(function()
      local pkt = assert(dns.query(i % 2 == 0 and "madeup.spindle.test" or "alias.spindle.test", "A"))
      got[#got + 1] = answers(pkt)[1]
    end)
  end
  assert(cq:loop())
  eq(#got, 40)
  eq(got[40], "10.77.0.1")
  local pool = dns.getpool()
  eq(pool:check(), true)
  eq(select(2, dns.query("unknown.spindle.test")), errno.DNS_ENONAME)
  if old then dns.setpool(old) end
  raises("bad argument #1 to 'setpool'", dns.setpool, {})
end)

it("a stub name server answers A and PTR to a query at a script's top level", function()
  local serve, cfg = stub(zone, 2)
  local _, st = stdnse.new_thread(serve)
  local r = resolver.new(cfg, hosts.new())
  local pkt, err = r:query("www.stub.test", "A", nil, 2)
  assert(pkt, err)
  same(answers(pkt), { "192.0.2.1", "192.0.2.2" })
  eq(pkt:grep { section = "answer" }():ttl(), 300)
  local ptr = assert(r:query("1.2.0.192.in-addr.arpa", record.type.PTR, nil, 2))
  same(answers(ptr), { "www.stub.test." })
  spec.join { st }
  r:close()
end)

it("inside cqueues.new():wrap, a query blocks only its coroutine; an unknown name is DNS_ENONAME", function()
  local serve, cfg = stub(zone, 2)
  local cq = cqueues.new()
  local r = resolver.new(cfg, hosts.new())
  local got, ticks = {}, 0
  cq:wrap(serve)
  cq:wrap(function()
    for _ = 1, 5 do
      ticks = ticks + 1
      cqueues.sleep(0.001)
    end
  end)
  cq:wrap(function()
    got.a = answers(assert(r:query("www.stub.test", "A", nil, 2)))
    got.none, got.err = r:query("nosuch.stub.test", "A", nil, 2)
  end)
  assert(cq:loop())
  same(got.a, { "192.0.2.1", "192.0.2.2" })
  eq(got.none, nil)
  eq(got.err, errno.DNS_ENONAME)
  eq(ticks, 5)
  r:close()
end)

it("a name server that never answers gives nil, ETIMEDOUT after the query's timeout", function()
  local serve, cfg = stub(false, 1)
  local _, st = stdnse.new_thread(serve)
  local r = resolver.new(cfg, hosts.new())
  local t0 = cqueues.monotime()
  local pkt, err = r:query("www.stub.test", "A", nil, 0.2)
  local dt = cqueues.monotime() - t0
  eq(pkt, nil)
  eq(err, errno.ETIMEDOUT)
  eq(dt >= 0.19 and dt < 0.8, true, "timed out after " .. dt)
  r:close()
  spec.join { st }
end)

it("closing a resolver while a coroutine waits on its query raises in that coroutine", function()
  local _, cfg, so = stub(false, 1)
  local r = resolver.new(cfg, hosts.new())
  local cq, err = cqueues.new(), nil
  cq:wrap(function() err = select(2, pcall(r.query, r, "www.stub.test", "A", nil, 2)) end)
  cq:wrap(function() cqueues.sleep(0.02); r:close() end)
  local t0 = cqueues.monotime()
  assert(cq:loop())
  eq(cqueues.monotime() - t0 < 1, true)
  eq(tostring(err):find("dns resolver closed", 1, true) ~= nil, true, tostring(err))
  so:close()
end)

it("submit, poll and fetch: a resolver polls ready when its query has ended", function()
  local r = resolver.new(config.new { lookup = { "file" } }, hostsobj())
  eq(r:fetch(), nil)
  assert(r:submit("madeup.spindle.test", "AAAA"))
  eq(select(2, r:fetch()), errno.EAGAIN)
  eq(cqueues.poll(r, 1), r)
  same(answers(assert(r:fetch())), { "2001:db8::77" })
  eq(r:stat().queries, 1)
  same(answers(assert(r:query("madeup.spindle.test", "A", nil, math.huge))), { "10.77.0.1" }) -- no timeout
  r:close()
  eq(resolver.type(r), "closed dns resolver")
  raises("dns resolver closed", r.query, r, "x")
end)

it("types and classes by name or number; an unknown one raises '<x>: unknown DNS type'", function()
  local r = resolver.new(config.new { lookup = { "file" } }, hostsobj())
  raises("BOGUS: unknown DNS type", r.query, r, "madeup.spindle.test", "BOGUS")
  raises("12345: unknown DNS type", r.query, r, "madeup.spindle.test", 12345)
  raises("XX: unknown DNS class", r.query, r, "madeup.spindle.test", "A", "XX")
  raises("BOGUS: unknown DNS type", dns.query, "madeup.spindle.test", "BOGUS")
  same(answers(assert(r:query("madeup.spindle.test", 28, "in"))), { "2001:db8::77" })
  raises("Invalid textual address form", config.new, { nameserver = { "not-an-address" } })
  r:close()
end)

it("config renders resolv.conf text and reads it back", function()
  local cfg = config.new { nameserver = { "192.0.2.53", "[::1]:5353" }, search = { "a.test" }, options = { ndots = 2 } }
  same(cfg:getns(), { "192.0.2.53", "[::1]:5353" })
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(tostring(cfg))
  f:close()
  local back = assert(config.loadpath(path))
  os.remove(path)
  same(back:getns(), { "192.0.2.53", "[::1]:5353" })
  same(back:getsearch(), { "a.test" })
  eq(back:getopts().ndots, 2)
end)

it("socket.connect to a host that does not resolve reports DNS_ENONAME, never ENOENT (regress 62)", function()
  local so = socket.connect("nosuch-host.invalid", 80)
  local code
  so:onerror(function(_, _, c) code = c; return c end)
  eq(so:connect(3), nil)
  -- the system's name server decides; without one reachable the lookup times out instead
  eq(code == errno.DNS_ENONAME or code == errno.ETIMEDOUT, true, "code " .. tostring(code))
  so:close()
end)

local results = spec.run()
os.remove(hostsfile)
return results
