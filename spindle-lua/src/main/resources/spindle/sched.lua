-- The script-thread scheduler of one Lua state: run queue, blocking, wakeups, thread ends.
--
-- Every script thread (a script's main coroutine, or a worker) is a record:
--   co      its base coroutine          id      number, for reports
--   name    for reports                 script  the main thread of its script (itself for a main thread)
--   worker  true for workers            state   READY | RUNNING | WAITING | DONE
--   ticket  bumped at every block; a wakeup must carry the current one (rule 1: resumed only by what
--           it waits for, never by a stale timer or a waiter entry it left behind)
--   resv    values for the next resume  inner   the coroutine that called block (maybe a user coroutine)
--   what    what it waits on, for the deadlock report
--   dtors   key -> function run when the thread ends (mutex release, condvar broadcast)
--   ctl     the cqueues controller that runs it, for a coroutine managed by one (see cqueues.lua): such a
--           record is resumed by its controller's step, not by the run queue, and a wakeup makes it pending
--           there instead
--   err, tb the error that ended it, and its traceback; seen: someone read err through a status function
--
-- Order: the run queue is FIFO; a woken or new thread runs after every thread already queued. A turn
-- resumes at most BUDGET threads so that timers and I/O get a turn too.
local K = ...

local create, resume, yield = coroutine.create, coroutine.resume, coroutine.yield
local status, running, isyieldable = coroutine.status, coroutine.running, coroutine.isyieldable
local pack, unpack, select, type = table.pack, table.unpack, select, type
local traceback, getinfo = debug.traceback, debug.getinfo

local READY, RUNNING, WAITING, DONE = 1, 2, 3, 4
local BUDGET = 4096

-- The private value a blocking call yields; whoever resumes a coroutine and gets it back must pass it up.
local YIELD = setmetatable({}, { __name = "spindle.yield", __tostring = function() return "spindle.yield" end })

local S = { YIELD = YIELD, cur = nil, resume = resume } -- cur: the thread being resumed (read by the modules)

local rq, head, tail = {}, 1, 0 -- run queue: rq[head..tail]
local nextid = 0
local live = {} -- thread -> true, every thread not DONE and not abandoned
local failed = {} -- workers that ended with an error, in order
local expected = {} -- event id (a timer, a wait on another OS thread) -> the thread it wakes
local tickets = {} -- event id -> the ticket of that thread's wait
local unwinders = {} -- functions to run if the run fails or is stopped (script.on_unwind)
local outcome -- set when the main thread of the run ends: { kind, ... }

local function push(t)
  t.state = READY
  tail = tail + 1
  rq[tail] = t
end

-- Describes an error object the way lua.c does, for messages and tracebacks.
local function errtext(e)
  if type(e) == "string" then return e end
  local mt = getmetatable(e)
  if mt and mt.__tostring then return tostring(e) end
  if type(e) == "number" then return tostring(e) end
  return ("(error object is a %s value)"):format(type(e))
end
S.errtext = errtext

-- First frame of `co` that belongs to a script, as "file:line" (Spindle's own chunks are skipped).
local function where(co)
  for level = 0, 50 do
    local info = co and getinfo(co, level, "Sl")
    if not info then break end
    if info.currentline and info.currentline > 0 and info.source:sub(1, 10) ~= "@[spindle]" then
      return info.short_src .. ":" .. info.currentline
    end
  end
  return "?"
end
S.where = where

-- The name of thread `t` in reports; a worker's is built from where it was started, on demand.
local function name(t)
  return t.name or ("worker %d (started at %s%s)"):format(t.id, t.src or "?", t.line and (":" .. t.line) or "")
end
S.name = name

-- Creates a thread record for coroutine `co`; `first` holds the values of its first resume (or nil).
function S.spawn(co, name, script, worker, first)
  nextid = nextid + 1
  local t = { co = co, id = nextid, name = name, worker = worker, ticket = 0, resv = first }
  t.script = script or t
  if worker then
    local ws = t.script.workers
    if not ws then ws = {}; t.script.workers = ws end
    ws[t] = true
  end
  live[t] = true
  push(t)
  return t
end

-- Suspends the calling script thread until a wakeup carrying its ticket; returns the wakeup's values.
-- `what` names what it waits on. The caller registers the thread (S.cur, ticket) with the waker first.
function S.block(what)
  local t = S.cur
  if not t then error("cannot block outside a script thread", 3) end
  if not isyieldable() then
    error(("%s cannot block here: not in a yieldable context (inside table.sort, string.gsub, a "
      .. "metamethod called from C, or the top level of a required module)"):format(what), 3)
  end
  t.state, t.what, t.inner = WAITING, what, running()
  return yield(YIELD)
end

-- The ticket of the current thread's next block (it changes at every resume). Register waits with it.
function S.ticket()
  return S.cur.ticket
end

-- Makes `t` runnable with the given resume values, if it still waits with `ticket`. Returns true if woken.
function S.wake(t, ticket, ...)
  if t.state ~= WAITING or t.ticket ~= ticket then return false end
  t.what, t.inner = nil, nil
  if select("#", ...) > 0 then t.resv = pack(...) end
  local ctl = t.ctl
  if ctl then ctl:pend(t) else push(t) end
  return true
end

-- Lets every other runnable thread (or coroutine of the same controller) run once, then comes back.
function S.pass(what)
  local t = S.cur
  if not t then error("cannot yield outside a script thread", 3) end
  t.state, t.what, t.inner = WAITING, what, running()
  S.wake(t, t.ticket)
  return yield(YIELD)
end

-- Makes host event `id` wake the current thread's wait with `ticket`; block then returns the event's value
-- and `id`.
function S.expect(id, ticket)
  expected[id], tickets[id] = S.cur, ticket
end

-- Forgets host event `id` (a wait that ended another way); the host side must be cancelled separately.
function S.unexpect(id)
  expected[id], tickets[id] = nil, nil
end

-- Arms a host timer that wakes the current thread after `ms`; returns the timer id.
function S.timer(ms, ticket)
  local id = K.timer(ms)
  S.expect(id, ticket)
  return id
end

local function fire(id, value)
  local t = expected[id]
  if t then
    expected[id] = nil
    local ticket = tickets[id]
    tickets[id] = nil
    S.wake(t, ticket, value, id)
  end
end

function S.on_unwind(fn)
  unwinders[#unwinders + 1] = fn
end

-- Runs the unwind functions once, newest first; their errors are reported, not raised.
function S.unwind()
  local fns = unwinders
  unwinders = {}
  local errs = {}
  for i = #fns, 1, -1 do
    local ok, e = pcall(fns[i])
    if not ok then errs[#errs + 1] = "unwind function failed: " .. errtext(e) end
  end
  if #errs > 0 then return table.concat(errs, "\n") end
end

-- Marks `t` ended and runs its destructors (they release what it held, so waiters move on).
function S.retire(t)
  t.state, t.what, t.inner = DONE, nil, nil
  local dtors = t.dtors
  if dtors then
    t.dtors = nil
    for _, f in pairs(dtors) do f(t) end
  end
end

-- A record for coroutine `co` run by controller `ctl` on behalf of the current script (cqueues.lua).
function S.record(co, ctl, first)
  nextid = nextid + 1
  local cur = S.cur
  return { co = co, id = nextid, ctl = ctl, ticket = 0, state = READY, resv = first, script = cur and cur.script }
end

local conclude

-- Ends thread `t`: runs its destructors and keeps the error.
local function finish(t, err, tb, ...)
  live[t] = nil
  S.retire(t)
  if t.worker then
    local script = t.script
    script.workers[t] = nil
    if err ~= nil then
      t.err, t.tb = err, tb
      failed[#failed + 1] = t
    end
    if t.held then
      script.held = script.held - 1
      if script.held == 0 and script.ended then conclude(script, nil, nil, unpack(script.ended, 1, script.ended.n)) end
    end
    return
  end
  if (t.held or 0) > 0 and err == nil then
    -- non-daemon threads (threading.Thread) still run: the script ends when the last of them does
    t.ended = pack(...)
    return
  end
  conclude(t, err, tb, ...)
end

-- Ends main thread `t`'s script: its leftover workers are abandoned, as NSE does (never resumed again).
conclude = function(t, err, tb, ...)
  t.ended = nil
  local ws = t.script.workers
  if ws then
    t.script.workers = nil
    for w in pairs(ws) do
      live[w] = nil
      S.retire(w)
    end
  end
  if err ~= nil then
    local failed_unwind = S.unwind()
    if failed_unwind then tb = tb .. "\n" .. failed_unwind end
    outcome = { "error", errtext(err), tb }
  elseif not outcome then
    outcome = pack("ok", ...)
  end
end

-- Makes worker `t` hold its script open: the script's main thread, once returned, waits for it.
function S.hold(t)
  t.held = true
  t.script.held = (t.script.held or 0) + 1
end

local function after(t, ok, tok, ...)
  S.cur = nil
  if ok then
    if tok == YIELD and status(t.co) == "suspended" then
      return -- block() has marked it WAITING
    elseif status(t.co) == "dead" then
      finish(t, nil, nil, tok, ...)
    else
      -- a plain yield at the base of a script thread: NSE ends the thread, the coroutine stays suspended
      local msg = "yielded unexpectedly and cannot be resumed"
      finish(t, msg, traceback(t.co, msg))
    end
  else
    finish(t, tok, traceback(t.co, errtext(tok)))
  end
end

local function step(t)
  S.cur = t
  t.state = RUNNING
  t.ticket = t.ticket + 1
  local v = t.resv
  if v then
    t.resv = nil
    return after(t, resume(t.co, unpack(v, 1, v.n)))
  end
  return after(t, resume(t.co))
end

-- One scheduler turn, called by the host with (event id, value) pairs: deliver the events, then resume
-- runnable threads. Returns the number of threads still runnable, and true once the run has an outcome.
function S.turn(...)
  local n = select("#", ...)
  if n > 0 then
    local ev = pack(...) -- select(i, ...) in the loop would cost O(n) per event
    for i = 1, n, 2 do fire(ev[i], ev[i + 1]) end
  end
  n = 0
  while head <= tail and n < BUDGET and not outcome do
    local t = rq[head]
    rq[head] = nil
    head = head + 1
    if t.state == READY then
      n = n + 1
      step(t)
    end
  end
  if head > tail then rq, head, tail = {}, 1, 0 end
  return tail - head + 1, outcome ~= nil
end

-- Ends the run at once with an exit status (os.exit).
function S.exit(code)
  outcome = { "exit", code }
end

function S.outcome()
  return unpack(outcome)
end

-- Tracebacks of workers that failed and whose error nobody read through a status function.
function S.unreported()
  local out = {}
  for _, t in ipairs(failed) do
    if not t.seen then
      out[#out + 1] = ("%s failed: %s"):format(name(t), t.tb)
    end
  end
  failed = {}
  if #out == 0 then return nil end
  return table.concat(out, "\n")
end

-- The deadlock report: every live thread, where it stopped and what it waits on.
function S.deadlock()
  local list = {}
  for t in pairs(live) do list[#list + 1] = t end
  table.sort(list, function(a, b) return a.id < b.id end)
  local lines = { "deadlock: every thread waits and nothing can wake any of them" }
  for _, t in ipairs(list) do
    lines[#lines + 1] = ("  %s at %s waits on %s"):format(name(t), where(t.inner or t.co), t.what or "?")
  end
  return table.concat(lines, "\n")
end

return S
