-- nmap.condvar: wait, signal (FIFO), broadcast, wakeups on thread death, errors, registry.
local spec = require "spindle.spec"
local stdnse = require "stdnse"
local nmap = require "nmap"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same
local join = spec.join

it("signal wakes one waiter, the longest-waiting (FIFO)", function()
  local key = {}
  local woke, sts = {}, {}
  for i = 1, 3 do
    local _, st = stdnse.new_thread(function()
      local cv = nmap.condvar(key)
      cv "wait"
      woke[#woke + 1] = i
    end)
    sts[i] = st
  end
  stdnse.sleep(0.01)
  local cv = nmap.condvar(key)
  cv "signal"
  stdnse.sleep(0.01)
  -- the first woken worker ends, and its death broadcasts (the NSE rule), so the rest follow
  join(sts)
  eq(woke[1], 1, "first woken")
  eq(#woke, 3)
end)

it("signal wakes exactly one when the woken thread keeps running", function()
  local key = {}
  local woke, release = 0, false
  for _ = 1, 3 do
    stdnse.new_thread(function()
      local cv = nmap.condvar(key)
      cv "wait"
      woke = woke + 1
      while not release do stdnse.sleep(0.001) end
    end)
  end
  stdnse.sleep(0.01)
  nmap.condvar(key) "signal"
  stdnse.sleep(0.02)
  eq(woke, 1)
  nmap.condvar(key) "signal"
  stdnse.sleep(0.02)
  eq(woke, 2)
  release = true
end)

it("broadcast wakes every waiter", function()
  local key = {}
  local woke, sts = 0, {}
  for i = 1, 10 do
    local _, st = stdnse.new_thread(function() nmap.condvar(key) "wait"; woke = woke + 1 end)
    sts[i] = st
  end
  stdnse.sleep(0.01)
  eq(woke, 0)
  nmap.condvar(key) "broadcast"
  join(sts)
  eq(woke, 10)
end)

it("signal and broadcast without waiters do nothing and return nothing", function()
  local cv = nmap.condvar("nobody")
  eq(select("#", cv "signal"), 0)
  eq(select("#", cv "broadcast"), 0)
end)

it("a thread that used the condvar wakes its waiters when it dies (spurious wakeup)", function()
  local key = {}
  local woke = false
  local _, waiter = stdnse.new_thread(function() nmap.condvar(key) "wait"; woke = true end)
  local _, user = stdnse.new_thread(function() local _ = nmap.condvar(key); stdnse.sleep(0.01) end)
  join { user }
  join { waiter }
  eq(woke, true)
end)

it("a thread that dies with an error also wakes the waiters", function()
  local key = {}
  local woke = false
  local _, waiter = stdnse.new_thread(function() nmap.condvar(key) "wait"; woke = true end)
  local _, user = stdnse.new_thread(function() nmap.condvar(key); stdnse.sleep(0.005); error("gone") end)
  join { waiter }
  eq(woke, true)
  eq(select(2, user()):find("gone", 1, true) ~= nil, true)
end)

it("the same object gives the same condvar; bad keys and options are errors", function()
  local key = {}
  eq(nmap.condvar(key), nmap.condvar(key))
  eq(nmap.condvar("k"), nmap.condvar("k"))
  raises("bad argument #1 to 'nmap.condvar' (object expected, got nil)", nmap.condvar, nil)
  raises("bad argument #1 to 'nmap.condvar' (object expected, got number)", nmap.condvar, 1.5)
  raises("bad argument #1 to 'nmap.condvar' (object expected, got boolean)", nmap.condvar, false)
  raises("invalid option 'notify'", nmap.condvar(key), "notify")
end)

it("an unreferenced condvar is forgotten; its key does not leak", function()
  local probe = setmetatable({}, { __mode = "k" })
  local function use()
    local key = {}
    probe[key] = true
    local _, st = stdnse.new_thread(function() nmap.condvar(key) "signal" end)
    join { st }
  end
  use()
  collectgarbage(); collectgarbage()
  eq(next(probe), nil)
end)

it("a producer/consumer pair hands over every item in order", function()
  local queue, got = {}, {}
  local cv = nmap.condvar(queue)
  local _, consumer = stdnse.new_thread(function()
    local cv = nmap.condvar(queue)
    while #got < 100 do
      while #queue == 0 do cv "wait" end
      got[#got + 1] = table.remove(queue, 1)
    end
  end)
  for i = 1, 100 do
    queue[#queue + 1] = i
    cv "signal"
    if i % 7 == 0 then stdnse.sleep(0) end
  end
  join { consumer }
  eq(#got, 100)
  for i = 1, 100 do eq(got[i], i) end
end)

return spec.run()
