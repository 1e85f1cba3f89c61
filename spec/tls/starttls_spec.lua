-- TLS over cqueues sockets: round trips with certificates made here, and handshakes that must fail.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local socket = require "cqueues.socket"
local errno = require "cqueues.errno"
local testcerts = require "testcerts"
local it, eq, raises = spec.it, spec.eq, spec.raises

local server_ctx, client_ctx = testcerts.contexts()

-- A TLS echo server for one client on an ephemeral port in controller `cq`; returns the port and a table
-- that gets the server side's outcome.
local function tls_echo(cq, ctx)
  local srv = assert(socket.listen("127.0.0.1", 0))
  assert(srv:listen())
  local _, _, port = srv:localname()
  local outcome = {}
  cq:wrap(function()
    local con = assert(srv:accept())
    srv:close()
    con:onerror(function(_, _, code) return code end)
    local ok, err = con:starttls(ctx, 5)
    outcome.ok, outcome.err = ok ~= nil, err
    if ok then
      con:setmaxline(-1)
      for line in con:lines("*l") do con:write(line, "\n") end
    end
    con:close()
  end)
  return port, outcome
end

it("a TLS round trip: the client verifies the server's certificate and host name", function()
  local cq = cqueues.new()
  local port, outcome = tls_echo(cq, server_ctx)
  local got = {}
  cq:wrap(function()
    local c = socket.connect("localhost", port)
    assert(c:starttls(client_ctx, 5))
    for i = 1, 3 do
      c:write("secret " .. i, "\n")
      got[i] = c:read("*l")
    end
    c:setmaxline(-1)
    local big = ("z"):rep(100000)
    c:write(big, "\n")
    got[4] = c:read("*l") == big
    c:close()
  end)
  assert(cq:loop())
  eq(outcome.ok, true)
  eq(got[1], "secret 1")
  eq(got[3], "secret 3")
  eq(got[4], true)
end)

it("a client that does not trust the server's CA fails the handshake with an error, not a hang", function()
  local _, other_client = testcerts.contexts() -- trusts a different self-signed certificate
  local cq = cqueues.new()
  local port, outcome = tls_echo(cq, server_ctx)
  local v, err
  cq:wrap(function()
    local c = socket.connect("localhost", port)
    c:onerror(function(_, _, code) return code end)
    v, err = c:starttls(other_client, 5)
    c:close()
  end)
  assert(cq:loop())
  eq(v, nil)
  eq(err, errno.SO_ENOTVRFD)
  eq(outcome.ok, false)
end)

it("the default client context verifies: a self-signed server is refused and the error raises", function()
  local cq = cqueues.new()
  local port = tls_echo(cq, server_ctx)
  local err
  cq:wrap(function()
    local c = socket.connect("localhost", port)
    err = select(2, pcall(c.starttls, c))
    c:close()
  end)
  assert(cq:loop())
  eq(tostring(err):find("starttls", 1, true) ~= nil, true, tostring(err))
end)

it("a host name the certificate does not name is refused", function()
  local key, crt = testcerts.selfsigned("elsewhere", { "elsewhere.example" }, {})
  local ctx = testcerts.context.new("TLS", true)
  ctx:setCertificate(crt)
  ctx:setPrivateKey(key)
  local trusting = testcerts.context.new("TLS", false)
  local st = testcerts.store.new()
  st:add(crt)
  trusting:setStore(st)
  local cq = cqueues.new()
  local port = tls_echo(cq, ctx)
  local v, err
  cq:wrap(function()
    local c = socket.connect("localhost", port)
    c:onerror(function(_, _, code) return code end)
    v, err = c:starttls(trusting, 5)
    c:close()
  end)
  assert(cq:loop())
  eq(v, nil)
  eq(err, errno.SO_ENOTVRFD)
end)

it("a TLS handshake at a script's top level on a socket pair, server role from the context", function()
  local stdnse = require "stdnse"
  local a, b = socket.pair()
  local ctx = testcerts.context.new("TLS", false)
  ctx:setVerify(testcerts.context.VERIFY_NONE)
  local done = false
  stdnse.new_thread(function()
    assert(b:starttls(server_ctx, 5))
    b:write(b:read("*l") .. "!\n")
    b:flush()
    done = true
  end)
  assert(a:starttls(ctx, 5))
  a:write("hi\n")
  eq(a:read("*l"), "hi!")
  eq(done, true)
  a:close()
  b:close()
end)

it("starttls rejects what is not a context", function()
  local a, b = socket.pair()
  raises("bad argument #1 to 'starttls' (SSL context expected, got string)", a.starttls, a, "ctx")
  a:close()
  b:close()
end)

return spec.run()
