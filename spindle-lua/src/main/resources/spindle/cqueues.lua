-- The cqueues module: controllers that run coroutines, and cqueues.poll, on Spindle's scheduler.
--
-- A controller does not own a kernel queue. Each coroutine it manages gets a scheduler record (S.record)
-- whose `ctl` is the controller, so every Spindle wait (a socket, a condition, a timer, nmap.mutex, a
-- sleep) suspends just that coroutine, and its wakeup makes it pending here (Controller:pend) instead of
-- runnable in the run queue. step() resumes the pending coroutines; when none is pending it blocks the
-- caller, a script thread or a coroutine of an outer controller, until one is: nesting needs nothing more.
--
-- Differences from cqueues, on purpose: pending coroutines run oldest first (cqueues: newest first); a
-- coroutine is resumed only by what it waits for (never by an unrelated event on a shared descriptor);
-- cqueues.poll works anywhere in a script thread (it suspends the script thread outside a controller).
local S, K = ...
local create, status, running = coroutine.create, coroutine.status, coroutine.running
local rawresume, rawyield = S.resume, coroutine.yield
local pack, unpack, select, type, tonumber = table.pack, table.unpack, select, type, tonumber
local huge, floor = math.huge, math.floor
local YIELD = S.YIELD

local M = { VENDOR = "spindle", VERSION = 20200726, COMMIT = "spindle" }

-- Pollable kinds of Spindle's own objects: metatable -> { ready(o), arm(o, t, ticket, i) -> reg,
-- disarm(o, reg), timeout(o) }. Other internal modules (sockets, conditions) add theirs.
local kinds = setmetatable({}, { __mode = "k" })
S.pollable = kinds

-- Integer descriptors for pollfd(): objects by number, so {pollfd = n} and cancel(n) find them again.
local fds = setmetatable({}, { __mode = "v" })
local nextfd = 2 -- 0..2 look like the standard descriptors; start above them
function S.newfd(o)
  nextfd = nextfd + 1
  fds[nextfd] = o
  return nextfd
end

-- arm and disarm for an object that keeps its waiters, { record, ticket, index }, in the list o[key].
function S.waitlist(key)
  local function arm(o, t, ticket, i)
    local w = { t, ticket, i }
    local ws = o[key]
    ws[#ws + 1] = w
    return w
  end
  local function disarm(o, w)
    local ws = o[key]
    for j = #ws, 1, -1 do
      if ws[j] == w then
        table.remove(ws, j)
        return
      end
    end
  end
  return arm, disarm
end

local function ms(secs) -- a timer never fires early: round up to the millisecond
  local m = secs * 1000
  local r = floor(m)
  if r < m then r = r + 1 end
  return r
end
S.ms = ms

-- Cancels timer `timer` (may be nil) unless it is the event `id` that ended the wait.
local function untime(timer, id)
  if timer and id ~= timer then
    K.cancel(timer)
    S.unexpect(timer)
  end
end
S.untime = untime

local function finite(x)
  return x and x == x and x > -huge and x < huge
end

-- Forgets host event `id` of a wait that ended another way, here and, through unwait(h, id), on the host.
local function withdraw(unwait, h, id)
  unwait(h, id)
  S.unexpect(id)
end
S.withdraw = withdraw

-- Blocks the calling coroutine until host event `id` fires or K.monotime() reaches `dl` (nil: no limit).
-- unwait(h, id) withdraws the host side of a wait that ended by timeout. Returns true and the event's
-- value when it fired, false on timeout.
function S.await(id, dl, what, unwait, h)
  local ticket = S.ticket()
  S.expect(id, ticket)
  local timer
  if dl then
    local left = dl - K.monotime()
    if left <= 0 then
      withdraw(unwait, h, id)
      return false
    end
    timer = S.timer(ms(left), ticket)
  end
  local v, got = S.block(what)
  if got ~= id then withdraw(unwait, h, id) end
  untime(timer, got)
  return got == id, v
end

-- arm and disarm of a pollable kind whose readiness is one host event: wait(o) registers it and returns
-- its id (or true when the object is ready already), unwait(h, id) withdraws it (o.h is h).
function S.hostwait(wait, unwait)
  local function arm(o, _, ticket)
    if o.closed then return nil end
    local id = wait(o)
    if id == true then return nil end
    S.expect(id, ticket)
    return id
  end
  local function disarm(o, id)
    if id then withdraw(unwait, o.h, id) end
  end
  return arm, disarm
end

-- Objects whose host side is a kernel Awaitable in the state's handles (signal listeners, file
-- notifiers), with its handle in o.h: their pollable kind, and a blocking take.
local aw_arm, aw_disarm = S.hostwait(function(o) return K.aw_wait(o.h) end,
  function(h, id) K.aw_unwait(h, id) end)
S.awaitable = {
  ready = function(o) return o.closed or K.aw_ready(o.h) end,
  arm = aw_arm,
  disarm = aw_disarm,
  timeout = function(o)
    if not o.closed and K.aw_ready(o.h) then return 0 end
    return o.tmo
  end,
  cancel = function(o) if not o.closed then K.aw_cancel(o.h) end end,
}

-- Makes `class` a class of objects over a kernel Awaitable (their handle in o.h) named `name` (also what
-- mod.type returns): gives it pollfd, events ("r"), timeout, close and __gc, makes it pollable, and gives
-- module `mod` its type and interpose. Returns new(h), which makes an object, and live(self, fn), which
-- raises unless self is an open object of the class.
function S.awaitableclass(mod, class, name)
  local function check(self, fn, level)
    if getmetatable(self) ~= class then
      error(("bad argument #1 to '%s' (%s expected, got %s)"):format(fn, name, type(self)), level)
    end
  end
  local function live(self, fn)
    check(self, fn, 4)
    if self.closed then error(("bad argument #1 to '%s' (%s closed)"):format(fn, name), 3) end
  end
  local function new(h)
    local self = setmetatable({ h = h }, class)
    self.fd = S.newfd(self)
    return self
  end
  function class:pollfd()
    live(self, "pollfd")
    return self.fd
  end
  function class:events()
    live(self, "events")
    return "r"
  end
  function class:timeout()
    live(self, "timeout")
    return S.awaitable.timeout(self)
  end
  function class:close()
    check(self, "close", 3)
    if self.closed then return end
    self.closed = true
    K.aw_close(self.h)
  end
  class.__gc = class.close
  kinds[class] = S.awaitable
  function mod.type(x)
    if getmetatable(x) == class then return name end
    return nil
  end
  mod.interpose = S.interposer(class)
  return new, live
end

-- The optional timeout argument #i of function fn, as a number or nil.
function S.checktimeout(fn, i, t)
  local n = tonumber(t)
  if t ~= nil and n == nil then
    error(("bad argument #%d to '%s' (number expected, got %s)"):format(i, fn, type(t)), 3)
  end
  return n
end

-- Returns what take(o) gives (nil: nothing yet), blocking the calling coroutine until it gives something
-- or `timeout` seconds pass (nil, NaN, inf: no limit; 0: just look), or the object closes; then returns
-- nothing.
function S.take(o, take, timeout, what)
  local dl = finite(timeout) and K.monotime() + timeout
  while true do
    local a, b = take(o.h)
    if a ~= nil then return a, b end
    if o.closed or (dl and K.monotime() >= dl) then return end
    local fired, open = S.await(K.aw_wait(o.h), dl, what, K.aw_unwait, o.h)
    if fired and open == false then return end -- the host side closed under it
  end
end

-- Reads field `f` of a foreign pollable: a method is called, anything else is taken as the value.
local function field(o, f, want)
  local ok, v = pcall(function() return o[f] end)
  if not ok then error(("error loading field %s: %s"):format(f, S.errtext(v)), 0) end
  if type(v) == "function" then
    ok, v = pcall(v, o)
    if not ok then error(("error calling method %s: %s"):format(f, S.errtext(v)), 0) end
  end
  if v ~= nil and want and type(v) ~= want and not (want == "number" and tonumber(v)) then
    error(("error loading field %s: %s expected, got %s"):format(f, want, type(v)), 0)
  end
  return v
end

-- What object `o` stands for: its kind and target (nil for a pure timeout) and its timeout in seconds.
local function resolve(o)
  local n = tonumber(o)
  if n then return nil, nil, n end
  local mt = getmetatable(o)
  local k = mt and kinds[mt]
  if k then return k, o, k.timeout(o) end
  local fd = field(o, "pollfd")
  local events = field(o, "events")
  local to = tonumber(field(o, "timeout", "number"))
  local target = fd
  if type(fd) == "number" then
    target = fds[fd]
    if fd >= 0 and target == nil then error(("cqueues.poll: descriptor %d is not one of Spindle's"):format(fd), 0) end
  end
  local tk = target ~= nil and kinds[getmetatable(target)]
  if target ~= nil and not tk then error("error loading field pollfd: not a pollable object", 0) end
  if events == "" then tk = nil end -- a descriptor with no events registers nothing
  return tk, target, to, events
end

-- Waits until at least one of the objects is ready; returns the ready ones, in the order given. A number
-- is a timeout and is returned itself when it fires. With no objects, lets everything else run once.
local function poll(...)
  local n = select("#", ...)
  if n == 0 then
    S.pass("cqueues.poll()")
    return
  end
  local objs = pack(...)
  local ks, ts, tos, evs = {}, {}, {}, {}
  local ready
  for i = 1, n do
    local o = objs[i]
    if o ~= nil then
      local k, target, to, ev = resolve(o)
      ks[i], ts[i], tos[i], evs[i] = k, target, to, ev
      if (k and k.ready(target, ev)) or (to and to <= 0) then
        ready = ready or {}
        ready[#ready + 1] = o
      end
    end
  end
  if ready then return unpack(ready) end
  local t, ticket = S.cur, S.ticket()
  local regs, first = {}, nil
  for i = 1, n do
    local k = ks[i]
    if k then regs[i] = k.arm(ts[i], t, ticket, i, evs[i]) end
    local to = tos[i]
    if finite(to) and (not first or to < first) then first = to end
  end
  local timer = first and S.timer(ms(first), ticket)
  local started = first and K.monotime()
  -- a source on another thread (an isolated thread ending) may have become ready between the check above
  -- and its arming, when no event of its own is left to wake us: look once more before blocking
  local v, id, late
  for i = 1, n do
    local k = ks[i]
    if k and k.ready(ts[i], evs[i]) then
      late = true
      break
    end
  end
  if not late then v, id = S.block("cqueues.poll") end
  untime(timer, id)
  for i, reg in pairs(regs) do ks[i].disarm(ts[i], reg) end
  local out, elapsed = {}, started and K.monotime() - started
  for i = 1, n do
    local o = objs[i]
    if o ~= nil then
      local k, to = ks[i], tos[i]
      if i == v or (k and k.ready(ts[i], evs[i])) or (id == timer and finite(to) and to <= elapsed + 0.0005) then
        out[#out + 1] = o
      end
    end
  end
  return unpack(out)
end
S.poll = poll
M.poll = poll

function M.sleep(secs)
  poll(secs)
end

function M.monotime()
  return K.monotime()
end

-- The controller running the calling code, and whether the caller is the coroutine it resumed.
function M.running()
  local t = S.cur
  local ctl = t and t.ctl
  if not ctl then return nil, false end
  return ctl, running() == t.co
end

M._POLL = YIELD

----------------------------------------------------------------------------------------------------------
-- Controllers

local Controller = {}
Controller.__index = Controller
Controller.__name = "cqueue"

local function check(self)
  if getmetatable(self) ~= Controller then error("bad argument #1 to '?' (cqueue expected)", 3) end
  if self.closed then error("bad argument #1 to '?' (cqueue closed)", 3) end
  return self
end

-- Wakes whoever waits for this controller to have something to run (a step, or a poll of it).
local function alert(self)
  local ws = self.pollers
  local n = #ws
  if n > 0 then
    for i = 1, n do -- a wakeup only queues the waiter: nothing is added to the list meanwhile
      local w = ws[i]
      ws[i] = nil
      S.wake(w[1], w[2], w[3])
    end
  end
end

-- Called by S.wake for a coroutine of this controller.
function Controller:pend(r)
  r.state = 1 -- READY
  local q = self.pending
  q[#q + 1] = r
  alert(self)
end

local function manage(self, r)
  self.members[r] = true
  self.n = self.n + 1
  self:pend(r)
  return self
end

function Controller:wrap(f, ...)
  check(self)
  if type(f) ~= "function" then
    error(("bad argument #1 to 'wrap' (function expected, got %s)"):format(type(f)), 2)
  end
  return manage(self, S.record(create(f), self, pack(...)))
end

function Controller:attach(co)
  check(self)
  if type(co) ~= "thread" then
    error(("bad argument #1 to 'attach' (coroutine expected, got %s)"):format(type(co)), 2)
  end
  return manage(self, S.record(co, self, nil))
end

local function drop(self, r)
  self.members[r] = nil
  self.n = self.n - 1
  S.retire(r)
end

-- Resumes record `r` and settles what came out. Returns nil, or the failure values of step.
local function settle(self, r, prev, ok, a, ...)
  S.cur = prev
  local co = r.co
  if ok then
    if a == YIELD and status(co) == "suspended" then return end -- it waits (S.block) or passed (S.pass)
    if status(co) == "dead" then
      drop(self, r)
      return
    end
    -- a plain yield: leave step through our own resumer, feed its answer back (cqueues' continuation)
    local back = pack(rawyield(a, ...))
    S.cur = r
    r.state = 2
    return settle(self, r, prev, rawresume(co, unpack(back, 1, back.n)))
  end
  drop(self, r)
  return false, a, nil, co
end

local function run(self, r)
  local prev = S.cur
  S.cur = r
  r.state = 2 -- RUNNING
  r.ticket = r.ticket + 1
  local v = r.resv
  local co = r.co
  if status(co) == "dead" then
    S.cur = prev
    drop(self, r)
    return false, "cannot resume dead coroutine", nil, co
  end
  if v then
    r.resv = nil
    return settle(self, r, prev, rawresume(co, unpack(v, 1, v.n)))
  end
  return settle(self, r, prev, rawresume(co))
end

local arm, disarm = S.waitlist("pollers")
kinds[Controller] = {
  ready = function(o) return o.closed or o.pending[1] ~= nil end,
  arm = arm,
  disarm = disarm,
  timeout = function() return nil end,
}

-- Blocks the caller until this controller has a pending coroutine or `timeout` seconds pass.
local function await(self, timeout)
  local t, ticket = S.cur, S.ticket()
  local w = arm(self, t, ticket, true)
  local timer = finite(timeout) and S.timer(ms(timeout), ticket)
  local _, id = S.block("a cqueues controller")
  untime(timer, id)
  disarm(self, w)
end

function Controller:step(timeout)
  check(self)
  if self.busy then error("cannot step live cqueue", 2) end
  if timeout ~= nil and not tonumber(timeout) then
    error(("bad argument #1 to 'step' (number expected, got %s)"):format(type(timeout)), 2)
  end
  timeout = tonumber(timeout)
  if self.n > 0 and not self.pending[1] and (timeout == nil or timeout > 0) then
    await(self, timeout)
    if self.closed then return true end
  end
  local q = self.pending
  if not q[1] then return true end
  self.pending = self.spare -- two lists in turn: no new table per step
  self.spare = q
  self.busy = true
  for i = 1, #q do
    local r = q[i]
    if self.members[r] and r.state == 1 then
      local failed, err, code, co = run(self, r)
      if failed == false then
        -- the rest stay pending for the next step, ahead of what became pending meanwhile
        local rest = table.move(q, i + 1, #q, 1, {})
        table.move(self.pending, 1, #self.pending, #rest + 1, rest)
        self.pending = rest
        for j = #q, 1, -1 do q[j] = nil end
        self.busy = false
        return false, err, code, co
      end
    end
  end
  for j = #q, 1, -1 do q[j] = nil end
  self.busy = false
  return true
end

function Controller:loop(timeout)
  check(self)
  timeout = tonumber(timeout)
  local deadline = finite(timeout) and K.monotime() + timeout
  local ok, err, code, co = self:step(timeout)
  while ok do
    if self.n == 0 then return true end
    local left
    if deadline then
      left = deadline - K.monotime()
      if left <= 0 then return true end
    end
    -- let the rest of the script's threads, timers and I/O in between steps
    if self.pending[1] then S.pass("a cqueues loop") end
    ok, err, code, co = self:step(left)
  end
  return ok, err, code, co
end

-- Iterator over step failures; ends when the controller is empty or `timeout` seconds have passed.
function Controller:errors(timeout)
  check(self)
  timeout = tonumber(timeout)
  local deadline = finite(timeout) and K.monotime() + timeout
  return function()
    local left = deadline and math.max(0, deadline - K.monotime())
    local ok, err, code, co = self:loop(left)
    if not ok then return err, code, co end
  end
end

function Controller:empty()
  check(self)
  return self.n == 0
end

function Controller:count()
  check(self)
  return self.n
end

function Controller:pollfd()
  check(self)
  return self.fd
end

function Controller:events()
  check(self)
  return "r"
end

function Controller:timeout()
  check(self)
  if self.pending[1] then return 0 end
  return nil
end

function Controller:alert()
  check(self)
  alert(self)
  return self
end

function Controller:cancel(...)
  check(self)
  return M.cancel(...)
end

function Controller:close()
  if getmetatable(self) ~= Controller then error("bad argument #1 to '?' (cqueue expected)", 2) end
  if self.closed then return end
  local t = S.cur
  if t and t.ctl == self then error("cqueue running", 2) end
  self.closed = true
  for r in pairs(self.members) do S.retire(r) end
  self.members, self.pending, self.n = {}, {}, 0
  alert(self) -- pollers of this controller see it ready
end
Controller.__gc = Controller.close


function M.new()
  local self = setmetatable({ pending = {}, spare = {}, pollers = {}, members = {}, n = 0 }, Controller)
  self.fd = S.newfd(self)
  return self
end

function M.create()
  return M.new()
end

function M.type(x)
  if getmetatable(x) ~= Controller then return nil end
  return x.closed and "closed controller" or "controller"
end

-- flags(...) and strflag(...) of a module whose flag bits are named in `names` (bit -> name): flags
-- iterates over the named bits of its arguments or'ed together; strflag returns their names.
function S.flagfunctions(mod, names)
  local function bits(fn, ...)
    local all = 0
    for i = 1, select("#", ...) do
      local v = select(i, ...)
      local n = math.tointeger(tonumber(v))
      if not n then error(("bad argument #%d to '%s' (integer expected, got %s)"):format(i, fn, type(v)), 3) end
      all = all | n
    end
    return all & 0xFFFFFFFF
  end
  local function nextbit(rest)
    while rest ~= 0 do
      local bit = rest & -rest
      rest = rest & ~bit
      if names[bit] then return bit, rest end
    end
    return nil, 0
  end
  function mod.flags(...)
    local rest = bits("flags", ...)
    return function()
      local bit
      bit, rest = nextbit(rest)
      return bit
    end
  end
  function mod.strflag(...)
    local out, bit, rest = {}, nil, bits("strflag", ...)
    repeat
      bit, rest = nextbit(rest)
      out[#out + 1] = names[bit]
    until not bit
    return unpack(out)
  end
end

-- The X.interpose(name, f) of a class: replaces or adds method `name`, returns the previous one.
function S.interposer(class)
  return function(name, f)
    local old = class[name]
    class[name] = f
    return old
  end
end
M.interpose = S.interposer(Controller)

-- A class whose objects are plain tables: its metatable (the methods go in it, it is its own __index),
-- check(self, fn), which raises "bad argument #1 to '<fn>' (<name> expected, got <type>)" at the caller
-- of the method that calls it, and the X.type function (`name` for an object of the class, else nil).
function S.class(name)
  local class = { __name = name }
  class.__index = class
  local function check(self, fn)
    if getmetatable(self) ~= class then
      error(("bad argument #1 to '%s' (%s expected, got %s)"):format(fn, name, type(self)), 3)
    end
  end
  local function typeof(x)
    if getmetatable(x) == class then return name end
    return nil
  end
  return class, check, typeof
end

-- Cancels each descriptor (or object with a pollfd) everywhere: whoever polls it wakes with it ready.
function M.cancel(...)
  for i = 1, select("#", ...) do
    local x = select(i, ...)
    if x ~= nil and x ~= -1 then
      local o = x
      if type(x) == "number" then o = fds[x] elseif type(x) == "table" and not kinds[getmetatable(x)] then
        o = fds[field(x, "pollfd", "number")]
      end
      local k = o ~= nil and kinds[getmetatable(o)]
      if k and k.cancel then k.cancel(o) end
    end
  end
end

M.resume = coroutine.resume
M.wrap = coroutine.wrap
M.assert = function(...) return require("cqueues.auxlib").assert(...) end

return M
