-- The nmap module's parallelism part: mutexes, condition variables, the registry, the clock.
--
-- Mutexes and condition variables live in weak tables keyed by the object they were asked for, as in NSE:
-- the same function comes back for the same object while that function is referenced. A mutex that is
-- held or has waiters stays referenced (by its holder's destructors, by its waiters' records), so it is
-- never lost. Differences from NSE, on purpose:
--   * condvar "signal" wakes the longest-waiting thread (FIFO); NSE wakes the newest.
--   * waiters that were woken or abandoned are skipped, so no signal or hand-off is ever lost to them.
local S, K = ...
local running, type, tostring = coroutine.running, type, tostring

local M = { registry = {} }

local mutexes = setmetatable({}, { __mode = "kv" })
local condvars = setmetatable({}, { __mode = "kv" })

local function describe(obj)
  if type(obj) == "string" then return ("%q"):format(obj) end
  return tostring(obj)
end

local function checkkey(fname, obj, n)
  local ty = type(obj)
  if n == 0 or ty == "nil" or ty == "boolean" or ty == "number" then
    error(("bad argument #1 to '%s' (object expected, got %s)"):format(fname, n == 0 and "no value" or ty), 3)
  end
end

local function badop(fname, op)
  error(("bad argument #1 to '%s' (invalid option '%s')"):format(fname, tostring(op)), 3)
end

-- A FIFO of (thread, ticket) pairs: q[i] threads, k[i] tickets, live between h and t.
local function fifo() return { h = 1, t = 0, k = {} } end

local function enqueue(q, th, ticket)
  local t = q.t + 1
  q.t, q[t], q.k[t] = t, th, ticket
end

-- Pops waiters until one accepts the wakeup; returns that thread or nil.
local function wakefirst(q, ...)
  local h, t, k = q.h, q.t, q.k
  while h <= t do
    local th, ticket = q[h], k[h]
    q[h], k[h] = nil, nil
    h = h + 1
    if S.wake(th, ticket, ...) then
      if h > t then q.h, q.t = 1, 0 else q.h = h end -- restart at 1 when empty: no table growth
      return th
    end
  end
  q.h, q.t = 1, 0
  return nil
end

local function wakeall(q)
  local h, t, k = q.h, q.t, q.k
  q.h, q.t, q.k = 1, 0, {}
  for i = h, t do
    S.wake(q[i], k[i])
    q[i] = nil
  end
end

local function newmutex(obj)
  local what = "nmap.mutex(" .. describe(obj) .. ")"
  local owner, holder -- the exact coroutine that holds it, and its script thread
  local waiters = fifo()
  local m, release

  -- Passes the lock to the longest-waiting thread, which owns it before it runs (no barging), or frees it.
  release = function()
    if holder and holder.dtors then holder.dtors[m] = nil end
    owner, holder = nil, nil
    if waiters.h > waiters.t then return end
    local th = wakefirst(waiters)
    if th then
      owner, holder = th.wantco, th
      th.wantco = nil
      local d = th.dtors
      if not d then d = {}; th.dtors = d end
      d[m] = release
    end
  end

  m = function(op)
    if op == "lock" then
      local co = running()
      local t = S.cur
      if owner == nil then
        owner, holder = co, t
        local d = t.dtors
        if not d then d = {}; t.dtors = d end
        d[m] = release
        return
      end
      enqueue(waiters, t, S.ticket())
      t.wantco = co -- the coroutine that asked becomes the owner
      t.waiting_on = m -- keeps the mutex (and so its registry entry) alive while waited on
      S.block(what)
      t.waiting_on = nil
      return
    elseif op == "done" then
      if owner ~= running() then error("do not have a lock on this mutex", 2) end
      return release()
    elseif op == "trylock" then
      if owner ~= nil then return false end
      local t = S.cur
      owner, holder = running(), t
      local d = t.dtors
      if not d then d = {}; t.dtors = d end
      d[m] = release
      return true
    elseif op == "running" then
      return owner
    end
    badop("mutex", op)
  end
  return m
end

function M.mutex(...)
  local obj = ...
  checkkey("nmap.mutex", obj, select("#", ...))
  local m = mutexes[obj]
  if not m then
    m = newmutex(obj)
    mutexes[obj] = m
  end
  return m
end

local function newcondvar(obj)
  local what = "nmap.condvar(" .. describe(obj) .. ")"
  local waiters = fifo()
  local cv
  local function broadcast() wakeall(waiters) end
  cv = function(op)
    if op == "wait" then
      local t = S.cur
      enqueue(waiters, t, S.ticket())
      t.waiting_on = cv
      S.block(what)
      t.waiting_on = nil
      return
    elseif op == "signal" then
      wakefirst(waiters)
      return
    elseif op == "broadcast" then
      wakeall(waiters)
      return
    end
    badop("condvar", op)
  end
  return cv, broadcast
end

local broadcasts = setmetatable({}, { __mode = "k" }) -- condvar -> its broadcast, for thread-end destructors

function M.condvar(...)
  local obj = ...
  checkkey("nmap.condvar", obj, select("#", ...))
  local cv = condvars[obj]
  if not cv then
    local b
    cv, b = newcondvar(obj)
    condvars[obj] = cv
    broadcasts[cv] = b
  end
  -- every thread that asks for the condvar broadcasts it when it ends, so waiters are not left behind
  local t = S.cur
  if t then
    local d = t.dtors
    if not d then d = {}; t.dtors = d end
    d[cv] = broadcasts[cv]
  end
  return cv
end

M.clock = K.clock

function M.clock_ms()
  return K.clock() * 1000
end

return M
