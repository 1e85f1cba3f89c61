-- A UDP-to-TLS relay, done right (the problem: shared/seeds/001, "Concurrency is tricky").
--
--   spindle run examples/relay.lua [MESSAGES [BYTES [QUEUE]]]      defaults: 500 messages of 16000 bytes, queue 16
--
-- One UDP listener fans every datagram out to every connected TLS client. Each client has its own bounded
-- queue and its own writer coroutine:
--   * the fan-out appends to each client's queue; when a queue is full the fan-out WAITS for room (policy:
--     lossless backpressure, nothing is dropped by the relay; a slow client slows the relay down, and the
--     datagrams wait in the UDP socket's buffer meanwhile);
--   * a writer takes from its own queue only and blocks in `write` while its peer is slow. A blocked
--     write is resumed only by its socket becoming writable again, never by the arrival of more data (the
--     bug in the article): the queue and the socket each wake only who waits on them.
--
-- The demo runs everything in one script on loopback: the relay, three TLS clients (one deliberately slow
-- reader), and a burst of MESSAGES numbered datagrams. UDP itself may lose datagrams before they reach
-- the relay (the kernel's receive buffer overflowing): the relay counts those by the gaps in the numbers.
-- It prints, per client, how many of the messages the relay received arrived, in order, and the relay's
-- counters; it fails (exit status 1) unless every client got every message the relay received, in order.
local cqueues = require "cqueues"
local socket = require "cqueues.socket"
local condition = require "cqueues.condition"
local context = require "openssl.ssl.context"
local pkey = require "openssl.pkey"
local x509 = require "openssl.x509"
local xname = require "openssl.x509.name"
local altname = require "openssl.x509.altname"
local xstore = require "openssl.x509.store"

local MESSAGES = math.tointeger(tonumber(arg[1] or "500"))
local BYTES = math.tointeger(tonumber(arg[2] or "16000"))
local QUEUE = math.tointeger(tonumber(arg[3] or "16"))
local CLIENTS = 3

-- A self-signed certificate for localhost: the relay's identity, trusted by the demo's clients.
local function certificate()
  local key = pkey.new { type = "EC", curve = "prime256v1" }
  local dn = xname.new():add("CN", "localhost")
  local crt = x509.new()
  crt:setSubject(dn)
  crt:setIssuer(dn)
  crt:setSubjectAlt(altname.new():add("DNS", "localhost"))
  crt:setPublicKey(key)
  local now = os.time()
  crt:setLifetime(now - 60, now + 3600)
  crt:sign(key)
  return key, crt
end

---------------------------------------------------------------------------------------------------------
-- The relay

-- A bounded FIFO that blocks the putter when full and the taker when empty.
local function queue(cap)
  local q = { items = {}, head = 1, tail = 0, room = condition.new(), data = condition.new(), closed = false }
  function q.put(item)
    while q.tail - q.head + 1 >= cap and not q.closed do q.room:wait() end
    if q.closed then return false end
    q.tail = q.tail + 1
    q.items[q.tail] = item
    q.data:signal(1)
    return true
  end
  function q.take()
    while q.head > q.tail do
      if q.closed then return nil end
      q.data:wait()
    end
    local item = q.items[q.head]
    q.items[q.head] = nil
    q.head = q.head + 1
    q.room:signal(1)
    return item
  end
  function q.close()
    q.closed = true
    q.room:signal()
    q.data:signal()
  end
  return q
end

local function relay(cq, ctx, stats)
  local udp = socket.listen { host = "127.0.0.1", port = 0, type = socket.SOCK_DGRAM }
  assert(udp:listen())
  udp:setmode("b", "b")
  local tls = assert(socket.listen("127.0.0.1", 0))
  assert(tls:listen())
  local clients = {} -- client -> its queue
  local nclients = 0
  local joined = condition.new()

  cq:wrap(function() -- accept the demo's TLS clients, one writer each
    while nclients < CLIENTS do
      local con = assert(tls:accept())
      if not con:starttls(ctx, 5) then
        stats.handshake_failures = stats.handshake_failures + 1
        con:close()
      else
        local q = queue(QUEUE)
        clients[con] = q
        nclients = nclients + 1
        joined:signal()
        cq:wrap(function()
          con:setmode(nil, "bf")
          for msg in q.take do
            assert(con:write(msg, "\n")) -- blocks while this peer is slow; only this writer waits
            if q.head > q.tail then assert(con:flush()) end
          end
          con:flush()
          con:close()
        end)
      end
    end
    tls:close()
  end)

  cq:wrap(function() -- fan out: every datagram to every client's queue, waiting for room (no drops)
    while nclients < CLIENTS do joined:wait() end
    stats.ready = true
    stats.serving:signal()
    for msg in udp:lines("*a") do
      stats.received = stats.received + 1
      local seq = tonumber(msg:match("^(%d+) "))
      if seq then
        stats.lost_before_relay = stats.lost_before_relay + (seq - stats.last_seq - 1)
        stats.last_seq = seq
        stats.order[#stats.order + 1] = seq
      end
      for _, q in pairs(clients) do
        if q.tail - q.head + 1 >= QUEUE then stats.waits_for_room = stats.waits_for_room + 1 end
        q.put(msg)
      end
      if msg == "end" then break end
    end
    for _, q in pairs(clients) do q.close() end
    udp:close()
  end)

  local _, _, uport = udp:localname()
  local _, _, tport = tls:localname()
  return uport, tport
end

---------------------------------------------------------------------------------------------------------
-- The demo: clients and a burst

local key, crt = certificate()
local server_ctx = context.new("TLS", true)
server_ctx:setCertificate(crt)
server_ctx:setPrivateKey(key)
local client_ctx = context.new("TLS", false)
client_ctx:setStore(xstore.new():add(crt))

local cq = cqueues.new()
local stats = { received = 0, waits_for_room = 0, handshake_failures = 0, lost_before_relay = 0, last_seq = 0,
  order = {}, ready = false, serving = condition.new() }
local uport, tport = relay(cq, server_ctx, stats)

local results = {}
for i = 1, CLIENTS do
  local slow = i == CLIENTS
  local r = { name = slow and ("client " .. i .. " (slow)") or ("client " .. i), got = {}, damaged = 0 }
  results[i] = r
  cq:wrap(function()
    local c = socket.connect("localhost", tport)
    assert(c:starttls(client_ctx, 5))
    c:setmode("b", nil)
    c:setmaxline(-1)
    for line in c:lines("*l") do
      if line == "end" then break end
      local seq = tonumber(line:match("^(%d+) "))
      if seq and #line == BYTES then r.got[#r.got + 1] = seq else r.damaged = r.damaged + 1 end
      if slow and seq == 1 then cqueues.sleep(1) end -- stalls, then reads slowly
      if slow and seq and seq % 50 == 0 then cqueues.sleep(0.01) end
    end
    c:close()
  end)
end

cq:wrap(function() -- the burst, sent once every client is in
  while not stats.ready do stats.serving:wait() end
  local sender = socket.connect { host = "127.0.0.1", port = uport, type = socket.SOCK_DGRAM }
  sender:setmode("b", "b")
  assert(sender:connect())
  for i = 1, MESSAGES do
    local head = i .. " "
    assert(sender:write(head .. ("x"):rep(BYTES - #head)))
    if i % 100 == 0 then cqueues.poll() end -- let the relay's coroutines run now and then
  end
  assert(sender:write("end"))
  sender:close()
end)

local t0 = cqueues.monotime()
assert(cq:loop())
-- Every client must have exactly the relay's sequence of messages.
local ok = true
for _, r in ipairs(results) do
  local in_order = #r.got == #stats.order and r.damaged == 0
  for k = 1, #r.got do in_order = in_order and r.got[k] == stats.order[k] end
  print(("%-18s %d of the relay's %d messages, %s"):format(r.name, #r.got, #stats.order,
    in_order and "all in order" or ("NOT in order or damaged (" .. r.damaged .. " damaged)")))
  ok = ok and in_order
end
print(("relay: %d of %d datagrams received (%d lost by UDP before the relay), %d waits for room in a "
  .. "client queue, 0 dropped by the relay; %.2f s"):format(#stats.order, MESSAGES, stats.lost_before_relay
  + (MESSAGES - stats.last_seq), stats.waits_for_room, cqueues.monotime() - t0))
if not ok then
  print("FAIL: a client did not get every message the relay received, in order")
  os.exit(1)
end
print("PASS: every client got every message the relay received, in order")
