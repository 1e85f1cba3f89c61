-- Spindle: hand-offs between two script threads of one Lua state (coroutines on one reactor).
--   lock_handoff_ns:  threading.Lock. Two threading.Threads loop `lock:acquire(); lock:release()`. The main
--                     thread holds the lock until both wait for it; from then on each release hands the lock
--                     to the other thread (waiters are served first in, first out and a newcomer cannot
--                     barge in), whose acquire returns, while the releaser's next acquire waits: every
--                     acquire is one hand-off.
--   event_handoff_ns: threading.Event. Two threads alternate on two events: A sets B's event and waits on
--                     its own, B waits on its own, clears it and sets A's (2 hand-offs per round).
--   mutex_handoff_ns: nmap.mutex, for context: the same loop as the Lock's (`m "lock"; m "done"`) in two
--                     stdnse worker threads.
-- ns per hand-off, wall clock (nmap.clock). usage (Spindle): lock_handoff_spindle.lua [N]   (N per thread)
local threading, nmap, stdnse = require "threading", require "nmap", require "stdnse"
local N = math.tointeger(tonumber((...))) or 200000
local clock = nmap.clock

-- Runs `loop` in two threads started by `start` while the main thread holds the lock (`take`), lets both
-- block on it, then releases it (`give`) and waits (`join`) for both: ns per hand-off (2N hand-offs).
local function contended(take, give, start, join, loop)
  take()
  local a, b = start(loop), start(loop)
  stdnse.sleep(0.01) -- both threads run up to their first acquire and wait there
  local t0 = clock()
  give()
  join(a)
  join(b)
  return (clock() - t0) * 1e9 / (2 * N)
end

-- threading.Lock
local lock = threading.Lock()
local function thread(fn)
  local t = threading.Thread { target = fn }
  t:start()
  return t
end
local function jointhread(t) t:join() end
local lock_ns = contended(function() lock:acquire() end, function() lock:release() end, thread, jointhread,
  function()
    for _ = 1, N do
      lock:acquire()
      lock:release()
    end
  end)

-- threading.Event: two events, alternating
local ea, eb = threading.Event(), threading.Event()
local pinger = thread(function()
  for _ = 1, N do
    eb:set()
    ea:wait()
    ea:clear()
  end
end)
local t0 = clock()
for _ = 1, N do
  eb:wait()
  eb:clear()
  ea:set()
end
pinger:join()
local event_ns = (clock() - t0) * 1e9 / (2 * N)

-- nmap.mutex: the Lock's loop in two stdnse workers
local m = nmap.mutex({})
local function worker(fn)
  local done = nmap.condvar({})
  local w = { done = false, cv = done }
  stdnse.new_thread(function()
    fn()
    w.done = true
    done "signal"
  end)
  return w
end
local function joinworker(w)
  while not w.done do w.cv "wait" end
end
local mutex_ns = contended(function() m "lock" end, function() m "done" end, worker, joinworker,
  function()
    for _ = 1, N do
      m "lock"
      m "done"
    end
  end)

print(("@result lock_handoff_ns %.3f"):format(lock_ns))
print(("@result event_handoff_ns %.3f"):format(event_ns))
print(("@result mutex_handoff_ns %.3f"):format(mutex_ns))
