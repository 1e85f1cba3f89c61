-- threading: script threads and the thread-safe primitives, with Python's semantics.
local spec = require "spindle.spec"
local threading = require "threading"
local stdnse = require "stdnse"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

-- The seed's bank account: a read-modify-write with a switch in the middle.
local function bank(lock)
  local balance = 0
  local function deposit()
    for _ = 1, 20 do
      if lock then lock:acquire() end
      local b = balance
      stdnse.sleep(0) -- another thread runs here
      balance = b + 1
      if lock then lock:release() end
    end
  end
  local ts = {}
  for i = 1, 5 do
    ts[i] = threading.Thread { target = deposit }
    ts[i]:start()
  end
  for _, t in ipairs(ts) do t:join() end
  return balance
end

it("the bank account loses updates without a lock and is exact with one", function()
  eq(bank(nil) < 100, true, "expected lost updates")
  eq(bank(threading.Lock()), 100)
end)

it("Lock: acquire with blocking false or a timeout, release of an unlocked lock raises", function()
  local l = threading.Lock()
  eq(l:acquire(), true)
  eq(l:locked(), true)
  eq(l:acquire(false), false)
  eq(l:acquire(true, 0.02), false)
  l:release()
  eq(l:locked(), false)
  raises("release unlocked lock", l.release, l)
  eq(l:with(function(a) return a + 1 end, 1), 2)
  eq(l:locked(), false)
  raises("boom", l.with, l, function() error("boom") end)
  eq(l:locked(), false, "with releases on error")
end)

it("Lock hands off FIFO between script threads", function()
  local l = threading.Lock()
  local order = {}
  l:acquire()
  local ts = {}
  for i = 1, 3 do
    ts[i] = threading.Thread { target = function() l:acquire(); order[#order + 1] = i; l:release() end }
    ts[i]:start()
  end
  stdnse.sleep(0.01)
  l:release()
  for _, t in ipairs(ts) do t:join() end
  same(order, { 1, 2, 3 })
end)

it("RLock: the owner may re-acquire; a non-owner's release raises", function()
  local r = threading.RLock()
  eq(r:acquire(), true)
  eq(r:acquire(), true)
  local err
  local t = threading.Thread { target = function()
    err = select(2, pcall(r.release, r))
    eq(r:acquire(false), false)
  end }
  t:start()
  t:join()
  eq(tostring(err):find("cannot release un-acquired lock", 1, true) ~= nil, true, tostring(err))
  r:release()
  r:release()
  raises("cannot release un-acquired lock", r.release, r)
end)

it("Semaphore limits concurrency to exactly N; BoundedSemaphore refuses over-release", function()
  local sem = threading.Semaphore(3)
  local inside, most = 0, 0
  local ts = {}
  for i = 1, 10 do
    ts[i] = threading.Thread { target = function()
      sem:acquire()
      inside = inside + 1
      if inside > most then most = inside end
      stdnse.sleep(0.005)
      inside = inside - 1
      sem:release()
    end }
    ts[i]:start()
  end
  for _, t in ipairs(ts) do t:join() end
  eq(most, 3)
  local b = threading.BoundedSemaphore(1)
  b:acquire()
  b:release()
  raises("Semaphore released too many times", b.release, b)
end)

it("Event: wait returns true once set, false on timeout", function()
  local e = threading.Event()
  eq(e:is_set(), false)
  eq(e:wait(0.01), false)
  threading.Thread { target = function() stdnse.sleep(0.01); e:set() end }:start()
  eq(e:wait(5), true)
  eq(e:is_set(), true)
  e:clear()
  eq(e:is_set(), false)
end)

it("Condition: wait releases the lock, notify wakes, wait_for re-checks the predicate", function()
  local c = threading.Condition()
  local items = {}
  local consumer = threading.Thread { target = function()
    c:acquire()
    eq(c:wait_for(function() return #items >= 3 end, 5), true)
    c:release()
  end }
  consumer:start()
  for i = 1, 3 do
    stdnse.sleep(0.002)
    c:acquire()
    items[#items + 1] = i
    c:notify()
    c:release()
  end
  consumer:join()
  eq(consumer:is_alive(), false)
  c:acquire()
  eq(c:wait(0.01), false)
  c:release()
  raises("cannot notify on un-acquired lock", c.notify, c)
end)

it("Thread: join with a timeout, names, current_thread, active_count", function()
  local e = threading.Event()
  local seen
  local t = threading.Thread { target = function() seen = threading.current_thread().name; e:wait() end, name = "w1" }
  eq(t:is_alive(), false)
  t:start()
  raises("threads can only be started once", t.start, t)
  t:join(0.01)
  eq(t:is_alive(), true)
  eq(threading.active_count(), 2)
  eq(threading.current_thread().name, "MainThread")
  e:set()
  t:join()
  eq(seen, "w1")
  eq(t:is_alive(), false)
end)

it("a run waits for its non-daemon threads and not for its daemon threads", function()
  local script, session = require "script", require "session"
  local key = "threading-spec-" .. tostring(os.time()) .. tostring(math.random(1e9))
  local h = script.run_background("nondaemon.lua", key)
  eq(script.wait(h, 5000), true)
  eq(script.status(h), "done")
  eq(session.get_string(key, "non-daemon"), "done")
  eq(session.get_string(key, "daemon"), nil)
end)

return spec.run()
