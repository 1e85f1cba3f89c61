-- threading: Python's threading module for script threads (coroutines of this Lua state). Lock, RLock,
-- Semaphore, BoundedSemaphore, Event and Condition are thread-safe Java objects: the same object works
-- from other Lua states (passed to them, it crosses as itself) and from Java threads.
local S, K, P = ...
local create, pack, unpack = coroutine.create, table.pack, table.unpack

local M = {}

-- Acquires with Python's (blocking, timeout) arguments; `op` extra arguments follow.
local function acquire(what, o, blocking, timeout, ...)
  if blocking == false then return P.now(o, "acquire", ...) == true end
  timeout = P.timeout(what, timeout, 2)
  return (P.wait(what, o, "acquire", timeout, ...))
end

-- Runs fn(...) holding the lock and releases it even when fn raises; returns fn's results.
local function with(o, fn, ...)
  o:acquire()
  local r = pack(pcall(fn, ...))
  o:release()
  if not r[1] then error(r[2], 0) end
  return unpack(r, 2, r.n)
end

---------------------------------------------------------------------------------------------------------
-- Lock, RLock

local Lock = P.class("threading.Lock", "Lock")
function M.Lock() return P.new(Lock, "lock") end
function Lock:acquire(blocking, timeout) return acquire("threading.Lock.acquire", self, blocking, timeout) end
function Lock:release() P.now(self, "release") end
function Lock:locked() return P.now(self, "locked") end
Lock.with = with

local RLock = P.class("threading.RLock", "RLock")
function M.RLock() return P.new(RLock, "rlock") end
function RLock:acquire(blocking, timeout)
  return acquire("threading.RLock.acquire", self, blocking, timeout, P.me())
end
function RLock:release() P.now(self, "release", P.me()) end
function RLock:locked() return P.now(self, "locked", P.me()) end
RLock.with = with

---------------------------------------------------------------------------------------------------------
-- Semaphore, BoundedSemaphore

local Semaphore = P.class("threading.Semaphore", "Semaphore")
local function semaphore(fn, value, bounded)
  value = value == nil and 1 or value
  if math.type(value) ~= "integer" or value < 0 then
    error(("bad argument #1 to '%s' (non-negative integer expected, got %s)"):format(fn, tostring(value)), 3)
  end
  return P.new(Semaphore, "semaphore", value, bounded)
end
function M.Semaphore(value) return semaphore("Semaphore", value, false) end
function M.BoundedSemaphore(value) return semaphore("BoundedSemaphore", value, true) end
function Semaphore:acquire(blocking, timeout) return acquire("threading.Semaphore.acquire", self, blocking, timeout) end
function Semaphore:release(n)
  if n ~= nil and (math.type(n) ~= "integer" or n < 1) then
    error("bad argument #1 to 'release' (n must be one or more)", 2)
  end
  P.now(self, "release", n or 1)
end
Semaphore.with = with

---------------------------------------------------------------------------------------------------------
-- Event

local Event = P.class("threading.Event", "Event")
function M.Event() return P.new(Event, "event") end
function Event:set() P.now(self, "set") end
function Event:clear() P.now(self, "clear") end
function Event:is_set() return P.now(self, "is_set") end
function Event:wait(timeout)
  timeout = P.timeout("threading.Event.wait", timeout, 1)
  return (P.wait("threading.Event.wait", self, "wait", timeout))
end

---------------------------------------------------------------------------------------------------------
-- Condition

local Condition = P.class("threading.Condition", "Condition")
function M.Condition(lock)
  lock = lock or M.RLock()
  local mt = getmetatable(lock)
  if mt ~= Lock and mt ~= RLock then
    error(("bad argument #1 to 'Condition' (Lock or RLock expected, got %s)"):format(type(lock)), 2)
  end
  local c = P.new(Condition, "condition", lock.h)
  rawset(c, "lock", lock)
  return c
end
function Condition:acquire(...) return self.lock:acquire(...) end
function Condition:release() return self.lock:release() end
Condition.with = with

-- Waits for a notify, releasing the lock meanwhile; holds it again on return. False on timeout.
function Condition:wait(timeout)
  timeout = P.timeout("threading.Condition.wait", timeout, 1)
  local me = P.me()
  local notified, _, saved = P.wait("threading.Condition.wait", self, "wait", timeout, me)
  P.wait("threading.Condition.wait (re-acquiring)", self, "reacquire", nil, me, saved)
  return notified
end

-- Waits until predicate() is true; returns its last value (false when `timeout` passed first).
function Condition:wait_for(predicate, timeout)
  timeout = P.timeout("threading.Condition.wait_for", timeout, 2)
  local deadline = timeout and K.monotime() + timeout
  local v = predicate()
  while not v do
    local left
    if deadline then
      left = deadline - K.monotime()
      if left <= 0 then break end
    end
    self:wait(left)
    v = predicate()
  end
  return v
end

function Condition:notify(n)
  P.now(self, "notify", P.me(), n or 1)
end

function Condition:notify_all()
  P.now(self, "notify_all", P.me())
end

---------------------------------------------------------------------------------------------------------
-- Thread

local Thread = { __name = "threading.Thread" }
Thread.__index = Thread
local threads = setmetatable({}, { __mode = "k" }) -- scheduler record -> Thread
local alive = 0 -- started threads not yet ended
local main = setmetatable({ name = "MainThread", daemon = false, started = true }, Thread)

function M.Thread(spec)
  spec = spec or {}
  if spec.target ~= nil and type(spec.target) ~= "function" then
    error(("bad argument #1 to 'Thread' (target must be a function, got %s)"):format(type(spec.target)), 2)
  end
  local args = spec.args or {}
  return setmetatable({ target = spec.target, args = args, name = spec.name, daemon = spec.daemon == true,
    joiners = {} }, Thread)
end

function Thread:run()
  if self.target then self.target(unpack(self.args, 1, self.args.n or #self.args)) end
end

function Thread:start()
  if self.started then error("threads can only be started once", 2) end
  local parent = S.cur
  if not parent then error("threading.Thread.start: not in a script thread", 2) end
  self.started = true
  local t = S.spawn(create(function() self:run() end), nil, parent.script, true)
  self.record = t
  self.name = self.name or ("Thread-" .. t.id)
  t.name = self.name
  threads[t] = self
  alive = alive + 1
  if not self.daemon then S.hold(t) end
  t.dtors = t.dtors or {}
  t.dtors[self] = function()
    alive = alive - 1
    self.ended = true
    local js = self.joiners
    self.joiners = {}
    for _, j in ipairs(js) do S.wake(j[1], j[2]) end
  end
end

-- Waits until the thread ends or `timeout` seconds pass; check is_alive() afterwards, as in Python.
function Thread:join(timeout)
  if not self.started then error("cannot join thread before it is started", 2) end
  if self.record == S.cur then error("cannot join current thread", 2) end
  timeout = P.timeout("threading.Thread.join", timeout, 1)
  if self.ended then return end
  local t, ticket = S.cur, S.ticket()
  local j = { t, ticket }
  self.joiners[#self.joiners + 1] = j
  local timer = timeout and S.timer(S.ms(timeout), ticket)
  local _, got = S.block("threading.Thread.join(" .. self.name .. ")")
  S.untime(timer, got)
end

function Thread:is_alive()
  return self.started == true and not self.ended
end

function M.current_thread()
  local t = S.cur
  return t and threads[t] or main
end

function M.active_count()
  return alive + 1
end

function M.main_thread()
  return main
end

return M
