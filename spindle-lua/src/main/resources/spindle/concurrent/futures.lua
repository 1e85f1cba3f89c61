-- concurrent.futures: Python's executors and futures. ThreadPoolExecutor runs calls in script threads of
-- this state (shared memory, at most max_workers at once); ProcessPoolExecutor runs them in isolated
-- threads (a Lua state each, on its own OS thread: the function and its arguments are copied in, results
-- and errors copied back); futures.wait and futures.as_completed wait for several futures.
local S, K, P = ...
local create, pack, unpack = coroutine.create, table.pack, table.unpack

local M = {
  FIRST_COMPLETED = "FIRST_COMPLETED", FIRST_EXCEPTION = "FIRST_EXCEPTION", ALL_COMPLETED = "ALL_COMPLETED",
}

M.TimeoutError = P.exception("concurrent.futures", "TimeoutError")
M.CancelledError = P.exception("concurrent.futures", "CancelledError")

---------------------------------------------------------------------------------------------------------
-- Future

local Future = { __name = "concurrent.futures.Future" }
Future.__index = Future

local function newfuture()
  return setmetatable({ state = "pending", waiters = {}, callbacks = {} }, Future)
end

-- Blocks the caller until `ready()` or `timeout` seconds; registers in each future's waiters.
local function await(fs, ready, timeout, what)
  local deadline = timeout and K.monotime() + timeout
  while not ready() do
    local left = deadline and deadline - K.monotime()
    if left and left <= 0 then return false end
    local t, ticket = S.cur, S.ticket()
    for _, f in ipairs(fs) do f.waiters[#f.waiters + 1] = { t, ticket } end
    local timer = left and S.timer(S.ms(left), ticket)
    local _, got = S.block(what)
    S.untime(timer, got)
  end
  return true
end

local function settle(f, state, ...)
  f.state = state
  if state == "finished" then f.values = pack(...) elseif state == "failed" then f.err = ... end
  local ws = f.waiters
  f.waiters = {}
  for _, w in ipairs(ws) do S.wake(w[1], w[2]) end
  for _, cb in ipairs(f.callbacks) do
    local ok, e = pcall(cb, f)
    if not ok then io.stderr:write("concurrent.futures: a done callback failed: ", S.errtext(e), "\n") end
  end
  f.callbacks = {}
end

function Future:done()
  return self.state == "finished" or self.state == "failed" or self.state == "cancelled"
end

function Future:running()
  return self.state == "running"
end

function Future:cancelled()
  return self.state == "cancelled"
end

-- Cancels a call that has not started; true if it is (now) cancelled.
function Future:cancel()
  if self.state == "pending" and (not self.remote or self.remote:cancel()) then settle(self, "cancelled") end
  return self.state == "cancelled"
end

local function wait_done(self, timeout, fn)
  timeout = P.timeout(fn, timeout, 1)
  if not await({ self }, function() return self:done() end, timeout, fn) then error(M.TimeoutError, 3) end
  if self.state == "cancelled" then error(M.CancelledError, 3) end
end

-- The call's results; re-raises its error; raises TimeoutError or CancelledError.
function Future:result(timeout)
  wait_done(self, timeout, "Future.result")
  if self.state == "failed" then error(self.err, 0) end
  return unpack(self.values, 1, self.values.n)
end

-- The call's error, or nil if it returned.
function Future:exception(timeout)
  wait_done(self, timeout, "Future.exception")
  return self.err
end

function Future:add_done_callback(fn)
  if self:done() then fn(self) else self.callbacks[#self.callbacks + 1] = fn end
end

---------------------------------------------------------------------------------------------------------
-- ThreadPoolExecutor

local Executor = { __name = "concurrent.futures.ThreadPoolExecutor" }
Executor.__index = Executor

function M.ThreadPoolExecutor(opts)
  local n = opts and opts.max_workers or 4
  if math.type(n) ~= "integer" or n < 1 then
    error(("bad argument #1 to 'ThreadPoolExecutor' (max_workers must be a positive integer, got %s)"):format(tostring(n)), 2)
  end
  return setmetatable({ max = n, active = 0, tasks = {}, head = 1, tail = 0, all = {} }, Executor)
end

local function work(self)
  while self.head <= self.tail do
    local task = self.tasks[self.head]
    self.tasks[self.head] = nil
    self.head = self.head + 1
    local f = task.future
    if f.state == "pending" then
      f.state = "running"
      local r = pack(pcall(task.fn, unpack(task.args, 1, task.args.n)))
      if r[1] then settle(f, "finished", unpack(r, 2, r.n)) else settle(f, "failed", r[2]) end
    end
  end
  self.active = self.active - 1
end

-- Schedules fn(...) on a worker; returns its Future.
-- The checks every submit makes; returns the calling script thread.
local function submitting(self, fn)
  if type(fn) ~= "function" then
    error(("bad argument #1 to 'submit' (function expected, got %s)"):format(type(fn)), 3)
  end
  if self.shut then error("cannot schedule new futures after shutdown", 3) end
  local parent = S.cur
  if not parent then error("submit: not in a script thread", 3) end
  return parent
end

function Executor:submit(fn, ...)
  local parent = submitting(self, fn)
  local f = newfuture()
  self.tail = self.tail + 1
  self.tasks[self.tail] = { fn = fn, args = pack(...), future = f }
  self.all[#self.all + 1] = f
  if self.active < self.max then
    self.active = self.active + 1
    local t = S.spawn(create(work), nil, parent.script, true, pack(self))
    S.hold(t) -- like Python, a run waits for its pool's work
  end
  return f
end

-- fn over the items of `iterable` (a list, or an iterator function); returns an iterator of the results
-- in input order, each waiting at most until `timeout` seconds after the call.
function Executor:map(fn, iterable, timeout)
  timeout = P.timeout("map", timeout, 3)
  local fs = {}
  if type(iterable) == "function" then
    for v in iterable do fs[#fs + 1] = self:submit(fn, v) end
  else
    for _, v in ipairs(iterable) do fs[#fs + 1] = self:submit(fn, v) end
  end
  local deadline = timeout and K.monotime() + timeout
  local i = 0
  return function()
    i = i + 1
    local f = fs[i]
    if not f then return nil end
    return f:result(deadline and math.max(0, deadline - K.monotime()))
  end
end

-- No more submits; with wait (the default) returns once every submitted call has ended.
function Executor:shutdown(wait)
  self.shut = true
  if wait ~= false then
    local fs = self.all
    await(fs, function()
      for _, f in ipairs(fs) do if not f:done() then return false end end
      return true
    end, nil, "ThreadPoolExecutor.shutdown")
  end
end

---------------------------------------------------------------------------------------------------------
-- ProcessPoolExecutor

-- The loop of a process pool worker, copied into each isolated thread: its only upvalue is _ENV.
local function process_worker(q)
  while true do
    local task = q:get()
    if task == "stop" then return end
    local p = task.promise
    if p:start() then
      local r = table.pack(pcall(task.fn, table.unpack(task.args, 1, task.args.n)))
      if r[1] then p:fulfill(table.unpack(r, 2, r.n)) else p:reject(r[2]) end
    end
  end
end

local ProcessPool = { __name = "concurrent.futures.ProcessPoolExecutor" }
ProcessPool.__index = ProcessPool
ProcessPool.map = Executor.map

function M.ProcessPoolExecutor(opts)
  local n = opts and opts.max_workers or 2
  if math.type(n) ~= "integer" or n < 1 then
    error(("bad argument #1 to 'ProcessPoolExecutor' (max_workers must be a positive integer, got %s)"):format(tostring(n)), 2)
  end
  return setmetatable({ max = n, started = 0, q = require("queue").Queue(), all = {} }, ProcessPool)
end

-- Settles future `f` from its remote promise once that is settled (a script thread of this state does it,
-- so callbacks run here, as in Python).
local function watch(f)
  f.remote:wait()
  if f:done() then return end
  local st = f.remote:state()
  if st == "fulfilled" then settle(f, "finished", f.remote:outcome())
  elseif st == "rejected" then settle(f, "failed", (f.remote:outcome()))
  else settle(f, "cancelled") end
end

-- Copies fn and its arguments to a worker; returns the Future. A value that cannot cross is refused here.
function ProcessPool:submit(fn, ...)
  local parent = submitting(self, fn)
  local f = newfuture()
  f.remote = P.promise()
  local ok, err = pcall(self.q.put, self.q, { fn = fn, args = pack(...), promise = f.remote })
  if not ok then error(err, 2) end
  self.all[#self.all + 1] = f
  S.hold(S.spawn(create(watch), nil, parent.script, true, pack(f)))
  if self.started < self.max then
    self.started = self.started + 1
    K.iso_start(("process pool worker %d"):format(self.started), K.source("isolated"),
      P.encode("argument", process_worker, self.q))
  end
  return f
end

function ProcessPool:shutdown(wait)
  if not self.shut then
    for _ = 1, self.started do self.q:put("stop") end
  end
  return Executor.shutdown(self, wait)
end

---------------------------------------------------------------------------------------------------------
-- Waiting for several futures

-- Returns two lists, done and not_done, once `return_when` holds or `timeout` seconds passed.
function M.wait(fs, timeout, return_when)
  return_when = return_when or M.ALL_COMPLETED
  timeout = P.timeout("wait", timeout, 2)
  local function split()
    local done, pending = {}, {}
    for _, f in ipairs(fs) do
      if f:done() then done[#done + 1] = f else pending[#pending + 1] = f end
    end
    return done, pending
  end
  await(fs, function()
    local done, pending = split()
    if #pending == 0 then return true end
    if return_when == M.FIRST_COMPLETED then return #done > 0 end
    if return_when == M.FIRST_EXCEPTION then
      for _, f in ipairs(done) do if f.state == "failed" then return true end end
    end
    return false
  end, timeout, "concurrent.futures.wait")
  return split()
end

-- Iterates over the futures as they complete; raises TimeoutError if `timeout` passes first.
function M.as_completed(fs, timeout)
  timeout = P.timeout("as_completed", timeout, 2)
  local deadline = timeout and K.monotime() + timeout
  local given = {}
  local left = #fs
  return function()
    if left == 0 then return nil end
    local pick
    local ok = await(fs, function()
      for _, f in ipairs(fs) do
        if f:done() and not given[f] then pick = f return true end
      end
      return false
    end, deadline and math.max(0, deadline - K.monotime()), "concurrent.futures.as_completed")
    if not ok then error(M.TimeoutError, 2) end
    given[pick] = true
    left = left - 1
    return pick
  end
end

return M
