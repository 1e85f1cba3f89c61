-- cqueues.dns.resolvers: a pool of resolvers, so that many coroutines can query at once. pool:get(timeout)
-- hands out a cached resolver or a new one, up to `hiwat` at a time (then it waits on a condition variable);
-- pool:put(r) takes it back, keeping up to `lowat` for reuse; pool:query(...) does both around r:query.
--
-- Differences from cqueues: pool:query puts its resolver back (cqueues leaves that to the garbage
-- collector and its leak hook), and get takes a cached resolver whenever there is one.
local resolver = require "cqueues.dns.resolver"
local config = require "cqueues.dns.config"
local condition = require "cqueues.condition"
local monotime = require("cqueues").monotime
local ETIMEDOUT = require("cqueues.errno").ETIMEDOUT
local pcall, error, type = pcall, error, type

local M = { lowat = 1, hiwat = 32, querymax = 2048, lifo = false, timeout = nil, onleak = nil }

local Pool = { __name = "dns resolver pool" }
Pool.__index = Pool

local function deadline(timeout)
  return timeout and monotime() + timeout
end

local function left(dl)
  return dl and math.max(0, dl - monotime())
end

-- Counts `res` as handed out. If it is collected without being put back, that is a leak: it stops
-- counting, a waiter wakes, and the onleak function runs.
local function track(self, res)
  local hook = setmetatable({}, { __gc = function(h)
    if h.returned then return end
    self.n = self.n - 1
    self.cv:signal()
    if self.leakcb then pcall(self.leakcb) end
  end })
  self.out[res] = hook
  self.n = self.n + 1
end

local function untrack(self, res)
  local hook = self.out[res]
  if not hook then return end
  hook.returned = true
  self.out[res] = nil
  self.n = self.n - 1
  self.cv:signal()
end

local function tryget(self)
  local res = table.remove(self.cache)
  if not res then
    if self.n >= self.hiwat then return nil end
    local why
    res, why = resolver.new(self.resconf, self.hosts, self.hints)
    if not res then return nil, why end
  end
  track(self, res)
  return res
end

local function getby(self, dl)
  while true do
    local res, why = tryget(self)
    if res or why then return res, why end
    local t = left(dl)
    if t and t <= 0 then return nil, ETIMEDOUT end
    self.cv:wait(t)
  end
end

-- A resolver, or nil and ETIMEDOUT once `timeout` seconds passed with `hiwat` of them handed out.
function Pool:get(timeout)
  return getby(self, deadline(timeout))
end

function Pool:put(res)
  untrack(self, res)
  local cache = self.cache
  if #cache < self.lowat and not res.closed and res:stat().queries < self.querymax then
    if not self.lifo and #cache > 0 then
      local i = math.random(#cache + 1)
      cache[#cache + 1], cache[i] = cache[i], res
    else
      cache[#cache + 1] = res
    end
  else
    res:close()
  end
end

function Pool:signal()
  self.cv:signal()
end

function Pool:query(name, t, c, timeout)
  local dl = deadline(timeout or self.timeout)
  local res, why = getby(self, dl)
  if not res then return nil, why end
  local ok, pkt, err = pcall(res.query, res, name, t, c, left(dl))
  self:put(res)
  if not ok then error(pkt, 0) end
  return pkt, err
end

function Pool:check()
  local n = 0
  for _ in pairs(self.out) do n = n + 1 end
  return assert(n == self.n, "resolver registry corrupt")
end

function Pool:onleak(f)
  local old = self.leakcb
  self.leakcb = f
  return old
end

function M.new(resconf, hosts, hints)
  local self = setmetatable({
    resconf = (type(resconf) == "table" and not config.type(resconf)) and config.new(resconf) or resconf,
    hosts = hosts, hints = hints, cv = condition.new(), cache = {}, n = 0,
    out = setmetatable({}, { __mode = "k" }),
    lowat = M.lowat, hiwat = M.hiwat, timeout = M.timeout, querymax = M.querymax, lifo = M.lifo,
    leakcb = M.onleak,
  }, Pool)
  return self
end

function M.stub(cfg)
  return M.new(config.stub(cfg))
end

function M.root()
  error("cqueues.dns.resolvers.root: Spindle has stub resolvers only (use resolvers.stub)", 2)
end

function M.type(x)
  if getmetatable(x) == Pool then return "dns resolver pool" end
  return nil
end

return M
