-- cqueues.dns.resolver: stub resolvers on Spindle's DNS engine (Netty's resolver behind the host
-- functions K.dns_*, DnsLib.java). A resolver runs one query at a time: submit starts it, fetch returns its
-- packet (or nil, EAGAIN while it runs), and the resolver polls ready when it has ended. query does both and
-- blocks only the calling coroutine (a script thread, a worker, or a coroutine of a controller).
--
-- Differences from cqueues: the hosts file is consulted before the name servers whatever the configured
-- lookup order; a name that does not resolve (NXDOMAIN, or no record of the type asked) gives nil and
-- DNS_ENONAME instead of a packet with that rcode and no answers; a timeout is enforced by the engine, so
-- query needs no polling step; root resolvers (iterating from the root servers) do not exist.
local S, K = ...
require "cqueues" -- installs S.poll
local errno = require "cqueues.errno"
local record = require "cqueues.dns.record"
require "cqueues.dns.packet" -- installs S.dns_packet
local config = require "cqueues.dns.config"
local hosts = require "cqueues.dns.hosts"
local EAGAIN = errno.EAGAIN
local type, tostring, tointeger, upper, huge = type, tostring, math.tointeger, string.upper, math.huge

local Resolver = { __name = "dns resolver" }
Resolver.__index = Resolver

local M = {}

local function live(self, op)
  if getmetatable(self) ~= Resolver then
    error(("calling '%s' on bad self (dns resolver expected, got %s)"):format(op, type(self)), 3)
  end
  if self.closed then error(("calling '%s' on bad self (dns resolver closed)"):format(op), 3) end
end

-- A type or class given as a number or a name (any case) that `tbl` knows; raises "<x>: unknown DNS <what>".
local function rrnumber(id, tbl, what, level)
  if id == nil then return nil end
  local n
  if type(id) == "number" then
    n = tbl[id] and tointeger(id)
  elseif type(id) == "string" then
    n = tbl[id] or tbl[upper(id)]
  end
  if type(n) ~= "number" then error(("%s: unknown DNS %s"):format(tostring(id), what), level + 1) end
  return n
end

local function has(list, x)
  for _, v in ipairs(list) do
    if v == x then return true end
  end
  return false
end

-- A resolver on configuration `resconf` (a config object, a table for config.new, or nil for the system's)
-- and hosts `h` (a hosts object, or nil for the system's hosts file). Hints are accepted and unused.
function M.new(resconf, h, hints)
  if resconf == nil then
    resconf = config.stub()
  elseif not config.type(resconf) then
    if type(resconf) ~= "table" then
      error(("bad argument #1 to 'new' (dns config expected, got %s)"):format(type(resconf)), 2)
    end
    resconf = config.new(resconf)
  end
  if h ~= nil and not hosts.type(h) then
    error(("bad argument #2 to 'new' (dns hosts expected, got %s)"):format(type(h)), 2)
  end
  local lookup, opts = resconf:getlookup(), resconf:getopts()
  local servers, iface = S.dns_addresses(resconf)
  local handle = K.dns_open {
    nameserver = servers, search = resconf:getsearch(), ndots = opts.ndots, timeout = opts.timeout,
    attempts = opts.attempts, recurse = opts.recurse, interface = iface,
    hosts = h and S.dns_hosts(h) or nil, file = has(lookup, "file"), bind = has(lookup, "bind"),
  }
  local self = setmetatable({ h = handle, queries = 0 }, Resolver)
  self.fd = S.newfd(self)
  return self
end

function M.stub(init)
  return M.new(config.stub(init))
end

function M.root()
  error("cqueues.dns.resolver.root: Spindle has stub resolvers only (use resolver.stub)", 2)
end

-- A timeout in seconds as milliseconds for the engine; -1 for none (nil, NaN and infinities, as poll).
local function millis(timeout)
  if timeout == nil or timeout ~= timeout or timeout == huge or timeout == -huge then return -1 end
  return S.ms(math.min(math.max(0, timeout), 1e9))
end

local function start(self, fn, name, t, c, timeout)
  if type(name) ~= "string" then
    error(("bad argument #1 to '%s' (string expected, got %s)"):format(fn, type(name)), 3)
  end
  t, c = t or record.type.A, c or record.class.IN
  self.queries = self.queries + 1
  self.question = { name, t, c }
  K.dns_submit(self.h, name, t, c, millis(timeout))
  return true
end

-- Starts a query for (name, type, class); the previous one, if any, is dropped.
function Resolver:submit(name, t, c)
  live(self, "submit")
  return start(self, "submit", name, rrnumber(t, record.type, "type", 2), rrnumber(c, record.class, "class", 2))
end

-- The answer of the query: a packet, or nil and an errno (EAGAIN while it runs).
function Resolver:fetch()
  live(self, "fetch")
  local list, err = K.dns_fetch(self.h)
  if not list then return nil, err end
  local q = self.question
  return S.dns_packet(q[1], q[2], q[3], list)
end

-- Asks for records of `t` (default A) and class `c` (default IN) for `name`; waits at most `timeout`
-- seconds (nil: until every name server attempt has timed out). A packet, or nil and an errno.
function Resolver:query(name, t, c, timeout)
  live(self, "query")
  t = rrnumber(t, record.type, "type", 2)
  c = rrnumber(c, record.class, "class", 2)
  if timeout ~= nil and type(timeout) ~= "number" then
    error(("bad argument #4 to 'query' (number expected, got %s)"):format(type(timeout)), 2)
  end
  start(self, "query", name, t, c, timeout)
  while true do
    local pkt, why = self:fetch()
    if pkt or why ~= EAGAIN then return pkt, why end
    S.poll(self)
    if self.closed then error("calling 'query' on bad self (dns resolver closed)", 2) end
  end
end

function Resolver:stat()
  live(self, "stat")
  return { queries = self.queries }
end

function Resolver:close()
  if getmetatable(self) ~= Resolver then error("bad argument #1 to 'close' (dns resolver expected)", 2) end
  if self.closed then return end
  self.closed = true
  K.dns_close(self.h)
end
Resolver.__gc = Resolver.close

-- The pollable trio: ready (readable) once the query has ended.
function Resolver:pollfd()
  return self.fd
end

function Resolver:events()
  return "r"
end

function Resolver:timeout()
  return nil
end

local arm, disarm = S.hostwait(function(o) return K.dns_wait(o.h, true) end,
  function(h, id) K.dns_unwait(h, id) end)
S.pollable[Resolver] = {
  ready = function(o) return o.closed or K.dns_wait(o.h, false) == true end,
  arm = arm,
  disarm = disarm,
  timeout = function() return nil end,
  cancel = function(o) if not o.closed then K.dns_cancel(o.h) end end,
}

function M.type(x)
  if getmetatable(x) ~= Resolver then return nil end
  return x.closed and "closed dns resolver" or "dns resolver"
end

M.interpose = S.interposer(Resolver)

return M
