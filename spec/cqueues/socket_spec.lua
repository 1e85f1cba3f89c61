-- cqueues.socket over real loopback TCP: echo, formats, EOF shapes, timeouts, sticky errors, modes.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local socket = require "cqueues.socket"
local errno = require "cqueues.errno"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

-- A listener on an ephemeral loopback port; returns it and its port.
local function listener()
  local srv = assert(socket.listen("127.0.0.1", 0))
  assert(srv:listen())
  local _, _, port = srv:localname()
  return srv, port
end

-- Runs `serve(con)` for each of `n` clients of a fresh listener in controller `cq`; returns the port.
local function serve(cq, n, serve_fn)
  local srv, port = listener()
  cq:wrap(function()
    for _ = 1, n do
      local con = assert(srv:accept())
      cq:wrap(function() serve_fn(con); con:close() end)
    end
    srv:close()
  end)
  return port
end

local function echo(con)
  for line in con:lines("*l") do con:write(line, "\n") end
end

it("echo server and client on one controller; text mode writes \\r\\n and reads strip it", function()
  local cq = cqueues.new()
  local port = serve(cq, 1, echo)
  local got = {}
  cq:wrap(function()
    local c = socket.connect("127.0.0.1", port)
    for i = 1, 3 do
      c:write("line " .. i, "\n")
      got[i] = c:read("*l")
    end
    c:setmode("b", nil)
    c:write("raw\n")
    got[4] = c:read("*L")
    c:close()
  end)
  assert(cq:loop())
  same(got, { "line 1", "line 2", "line 3", "raw\r\n" })
end)

it("nested controllers: a server controller inside a client controller", function()
  local outer, inner = cqueues.new(), cqueues.new()
  local port = serve(inner, 1, echo)
  local got
  outer:wrap(function() assert(inner:loop()) end)
  outer:wrap(function()
    local c = socket.connect("127.0.0.1", port)
    c:write("nested\n")
    got = c:read("*l")
    c:close()
  end)
  assert(outer:loop())
  eq(got, "nested")
end)

it("many connections at once each get their own answers", function()
  local cq = cqueues.new()
  local n = 200
  local port = serve(cq, n, echo)
  local ok = 0
  for i = 1, n do
    cq:wrap(function()
      local c = socket.connect("127.0.0.1", port)
      for j = 1, 3 do
        c:write(("%d:%d\n"):format(i, j))
        eq(c:read("*l"), ("%d:%d"):format(i, j))
      end
      c:close()
      ok = ok + 1
    end)
  end
  assert(cq:loop())
  eq(ok, n)
end)

it("a peer writing one byte at a time: lines come whole; partial last line at EOF", function()
  local cq = cqueues.new()
  local port = serve(cq, 1, function(con)
    con:setvbuf("no")
    for ch in ("one\r\ntwo\nTail"):gmatch(".") do
      con:setmode(nil, "bn")
      con:write(ch)
      cqueues.sleep(0.001)
    end
    con:shutdown("w")
    cqueues.sleep(0.05)
  end)
  local r
  cq:wrap(function()
    local c = socket.connect("127.0.0.1", port)
    r = table.pack(c:read("*l", "*l", "*l", "*l"))
    c:close()
  end)
  assert(cq:loop())
  eq(r.n, 4)
  eq(r[1], "one")
  eq(r[2], "two")
  eq(r[3], "Tail")
  eq(r[4], nil)
end)

it("EOF shapes: *l gives one nil, *a and counts give nothing, read stops at the first EOF", function()
  local a, b = socket.pair()
  a:write("one\nTail")
  a:flush()
  a:shutdown("w")
  local r = table.pack(b:read("*l", "*l", "*l"))
  eq(r.n, 3)
  same({ r[1], r[2] }, { "one", "Tail" })
  eq(r[3], nil)
  eq(select("#", b:read("*l")), 1)
  eq(select("#", b:read("*a")), 0)
  eq(select("#", b:read(10)), 0)
  eq(b:eof("r"), true)
  a:close()
  b:close()
end)

it("byte counts: n exactly, -n whatever is there, 0 is empty; *a reads to EOF", function()
  local a, b = socket.pair()
  a:setmode(nil, "bn")
  a:write("abcdefgh")
  eq(b:read(3), "def" == "x" and nil or "abc")
  eq(b:read(0), "")
  eq(b:read(-100), "defgh")
  a:write("rest\r\nof it")
  a:close()
  eq(b:read("*a"), "rest\nof it")
  b:close()
end)

it("read timeouts return ETIMEDOUT and stick until clearerr", function()
  local a, b = socket.pair()
  b:settimeout(0.02)
  local t0 = cqueues.monotime()
  local v, err = b:read("*l")
  eq(v, nil)
  eq(err, errno.ETIMEDOUT)
  eq(cqueues.monotime() - t0 >= 0.019, true)
  a:write("late\n")
  a:flush()
  v, err = b:read("*l")
  eq(err, errno.ETIMEDOUT, "sticky")
  eq(b:error("r"), errno.ETIMEDOUT)
  eq(b:clearerr("r"), errno.ETIMEDOUT)
  eq(b:read("*l"), "late")
  a:close()
  b:close()
end)

it("after maxerrs re-reports the read raises", function()
  local a, b = socket.pair()
  b:settimeout(0)
  eq(b:setmaxerrs("r", 2), 100)
  for _ = 1, 3 do eq(select(2, b:read("*l")), errno.ETIMEDOUT) end
  raises("exceeded unchecked error limit (Connection timed out)", b.read, b, "*l")
  raises("only 'r' or 'w' accepted", b.clearerr, b, "x")
  a:close()
  b:close()
end)

it("connection refused raises through the default handler; onerror can return the code", function()
  local port = 1 -- nothing listens on port 1 of the loopback interface (it would need root)
  local c = socket.connect("127.0.0.1", port)
  raises("socket:connect: Connection refused", c.connect, c)
  local c2 = socket.connect("127.0.0.1", port)
  local seen
  c2:onerror(function(so, op, code) seen = op; return code end)
  local v, err = c2:connect()
  eq(v, nil)
  eq(err, errno.ECONNREFUSED)
  eq(seen, "connect")
  c:close()
  c2:close()
end)

it("line buffering keeps a partial line until flush; pending counts it", function()
  local a, b = socket.pair()
  a:write("one\nTail")
  eq(b:read("*l"), "one")
  local _, out = a:pending()
  eq(out, 4)
  b:settimeout(0.02)
  eq(select(2, b:read("*l")), errno.ETIMEDOUT)
  b:clearerr()
  eq(a:flush(), true)
  a:close()
  eq(b:read("*l"), "Tail")
  b:close()
end)

it("setmode returns the previous modes and starts from the defaults", function()
  local a, b = socket.pair()
  local i, o = a:setmode("b", "bf")
  eq(i, "t-p")
  eq(o, "tla")
  i, o = a:setmode(nil, "f")
  eq(o, "bfa")
  _, o = a:setmode(nil, nil)
  eq(o, "tfa")
  eq(a:setbufsiz(), 4096)
  eq(a:setmaxline(), 4096)
  a:close()
  b:close()
end)

it("peername and localname give family, address and port", function()
  local cq = cqueues.new()
  local srv, port = listener()
  local af, ip, p
  cq:wrap(function()
    local con = srv:accept()
    af, ip, p = con:peername()
    con:close()
  end)
  cq:wrap(function()
    local c = socket.connect("127.0.0.1", port)
    assert(c:connect())
    local laf, lip, lport = c:localname()
    eq(laf, socket.AF_INET)
    eq(lip, "127.0.0.1")
    eq(lport > 0, true)
    cqueues.sleep(0.01)
    c:close()
  end)
  assert(cq:loop())
  srv:close()
  eq(af, socket.AF_INET)
  eq(ip, "127.0.0.1")
  eq(type(p), "number")
end)

it("accept times out with nil, ETIMEDOUT; clients() ends after idling", function()
  local srv = listener()
  local v, err = srv:accept(0.02)
  eq(v, nil)
  eq(err, errno.ETIMEDOUT)
  local n = 0
  for _ in srv:clients(0.02) do n = n + 1 end
  eq(n, 0)
  srv:close()
end)

it("sockets are pollable by events of their last EAGAIN, directly and as {pollfd=, events=}", function()
  local a, b = socket.pair()
  eq(b:events(), "")
  b:settimeout(0)
  b:read("*l")
  b:clearerr()
  eq(b:events(), "r")
  local obj = { pollfd = b:pollfd(), events = "r" }
  local cq = cqueues.new()
  local got, got2
  cq:wrap(function() got = cqueues.poll(b, 5) end)
  cq:wrap(function() got2 = cqueues.poll(obj, 5) end)
  cq:step(0)
  a:write("x\n")
  a:flush()
  assert(cq:loop())
  eq(got, b)
  eq(got2, obj)
  a:close()
  b:close()
end)

it("closing a socket wakes its reader, whose next call raises", function()
  local a, b = socket.pair()
  local cq = cqueues.new()
  local err
  cq:wrap(function() err = select(2, pcall(b.read, b, "*l")) end)
  cq:step(0)
  b:close()
  assert(cq:loop())
  eq(tostring(err):find("socket closed", 1, true) ~= nil, true)
  eq(socket.type(b), "closed socket")
  eq(socket.type(a), "socket")
  raises("socket closed", b.write, b, "x")
  b:close()
  a:close()
end)

it("cqueues.cancel wakes pollers of a socket with it reported ready", function()
  local a, b = socket.pair()
  local cq = cqueues.new()
  b:settimeout(0)
  b:read("*l")
  b:clearerr()
  b:settimeout(nil)
  local woke = false
  cq:wrap(function() cqueues.poll(b); woke = true end)
  cq:step(0)
  cqueues.cancel(b)
  assert(cq:loop())
  eq(woke, true)
  a:close()
  b:close()
end)

it("a read at a script's top level suspends only the script thread", function()
  local stdnse = require "stdnse"
  local a, b = socket.pair()
  local ran = false
  stdnse.new_thread(function() ran = true; a:write("hi\n"); a:flush() end)
  eq(b:read("*l"), "hi")
  eq(ran, true)
  a:close()
  b:close()
end)

it("large writes block while the peer is slow and every byte arrives in order", function()
  local a, b = socket.pair()
  local cq = cqueues.new()
  local chunk = ("x"):rep(65535) .. "\n"
  local n = 64 -- 4 MiB, far above the water marks
  cq:wrap(function()
    a:setmode(nil, "bf")
    for _ = 1, n do assert(a:write(chunk)) end
    assert(a:flush())
    a:close()
  end)
  local total, lines = 0, 0
  cq:wrap(function()
    b:setmode("b", nil)
    b:setmaxline(-1)
    for line in b:lines("*L") do
      total = total + #line
      lines = lines + 1
      if lines % 8 == 0 then cqueues.sleep(0.001) end
    end
    b:close()
  end)
  assert(cq:loop())
  eq(lines, n)
  eq(total, n * #chunk)
end)

it("UDP: a bound socket receives whole datagrams in order from a connected one", function()
  local srv = socket.listen { host = "127.0.0.1", port = 0, type = socket.SOCK_DGRAM }
  assert(srv:listen())
  srv:setmode("b", "b")
  local _, _, port = srv:localname()
  local c = socket.connect { host = "127.0.0.1", port = port, type = socket.SOCK_DGRAM }
  c:setmode("b", "b")
  assert(c:connect())
  for i = 1, 20 do assert(c:write(("datagram %d\n"):format(i))) end
  for i = 1, 20 do eq(srv:read("*a"), ("datagram %d\n"):format(i)) end
  srv:settimeout(0.01)
  eq(select(2, srv:read("*a")), errno.ETIMEDOUT)
  c:close()
  srv:close()
end)

it("Unix domain sockets: listen and connect by path", function()
  local path = os.tmpname()
  os.remove(path)
  local srv = socket.listen { path = path }
  assert(srv:listen())
  local cq = cqueues.new()
  local got, af
  cq:wrap(function()
    local con = assert(srv:accept())
    got = con:read("*l")
    con:close()
  end)
  cq:wrap(function()
    local c = socket.connect { path = path }
    assert(c:connect())
    af = c:peername()
    c:write("over unix\n")
    c:close()
  end)
  assert(cq:loop())
  srv:close()
  os.remove(path)
  eq(got, "over unix")
  eq(af, socket.AF_UNIX)
end)

it("a read inside a plain coroutine.wrap generator suspends only the script thread", function()
  local a, b = socket.pair()
  local gen = coroutine.wrap(function()
    for line in b:lines("*l") do coroutine.yield(line) end
  end)
  local stdnse = require "stdnse"
  stdnse.new_thread(function() for i = 1, 3 do a:write("g" .. i .. "\n"); a:flush(); stdnse.sleep(0.001) end end)
  same({ gen(), gen(), gen() }, { "g1", "g2", "g3" })
  a:close()
  b:close()
end)

it("bad arguments name the function and argument", function()
  raises("bad argument #2 to 'connect' (port expected", socket.connect, "127.0.0.1", "x")
  raises("bad argument #1 to 'listen' (host string expected", socket.listen, nil, 1)
  local a, b = socket.pair()
  raises("invalid format *q", a.read, a, "*q")
  raises("*n not implemented yet", a.read, a, "*n")
  a:close()
  b:close()
end)

return spec.run()
