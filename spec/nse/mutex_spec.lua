-- nmap.mutex: FIFO hand-off, ownership, errors, the weak registry.
local spec = require "spindle.spec"
local stdnse = require "stdnse"
local nmap = require "nmap"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same
local join = spec.join

it("hands the lock to waiters in the order they asked (FIFO)", function()
  local m = nmap.mutex("fifo")
  local order, sts = {}, {}
  m "lock"
  for i = 1, 5 do
    local _, st = stdnse.new_thread(function() m "lock"; order[#order + 1] = i; m "done" end)
    sts[i] = st
  end
  stdnse.sleep(0.01) -- all five queue up behind the holder
  m "done"
  join(sts)
  same(order, { 1, 2, 3, 4, 5 })
end)

it("gives the lock to the waiter before it runs: no barging", function()
  local m = nmap.mutex({})
  local got
  m "lock"
  local co, st = stdnse.new_thread(function() m "lock"; got = true; stdnse.sleep(0.01); m "done" end)
  stdnse.sleep(0.005)
  m "done"
  eq(m "running", co, "owner right after done")
  eq(m "trylock", false, "trylock in the gap")
  join { st }
  eq(got, true)
  eq(m "running", nil)
end)

it("trylock returns false while held, also for the holder itself", function()
  local m = nmap.mutex("try")
  eq(m "trylock", true)
  eq(m "trylock", false, "holder trylocks again")
  local res
  local _, st = stdnse.new_thread(function() res = m "trylock" end)
  join { st }
  eq(res, false, "other thread")
  m "done"
  eq(m "trylock", true, "after done")
  m "done"
end)

it("done by a thread that does not hold the lock is an error", function()
  local m = nmap.mutex("nonholder")
  raises("do not have a lock on this mutex", m, "done")
  m "lock"
  local err
  local _, st = stdnse.new_thread(function() err = select(2, pcall(m, "done")) end)
  join { st }
  eq(tostring(err):find("do not have a lock on this mutex", 1, true) ~= nil, true, err)
  m "done"
end)

it("the holder is the exact coroutine: a generator inside the holder cannot release", function()
  local m = nmap.mutex("exact")
  m "lock"
  local gen = coroutine.wrap(function() m "done" end)
  raises("do not have a lock on this mutex", gen)
  eq(m "running", coroutine.running())
  m "done"
end)

it("is not re-entrant", function()
  local m = nmap.mutex("reentrant")
  local second = false
  local co, st = stdnse.new_thread(function() m "lock"; m "lock"; second = true end)
  stdnse.sleep(0.01)
  eq(second, false, "second lock by the owner must wait")
  eq(m "running", co)
  eq((st()), "suspended")
end)

it("running names the holder or nil", function()
  local m = nmap.mutex("running")
  eq(m "running", nil)
  m "lock"
  eq(m "running", coroutine.running())
  m "done"
  eq(m "running", nil)
end)

it("rejects unknown operations and bad keys with clear errors", function()
  local m = nmap.mutex("ops")
  raises("invalid option 'bogus'", m, "bogus")
  raises("invalid option 'nil'", m)
  raises("bad argument #1 to 'nmap.mutex' (object expected, got nil)", nmap.mutex, nil)
  raises("bad argument #1 to 'nmap.mutex' (object expected, got no value)", nmap.mutex)
  raises("bad argument #1 to 'nmap.mutex' (object expected, got boolean)", nmap.mutex, true)
  raises("bad argument #1 to 'nmap.mutex' (object expected, got number)", nmap.mutex, 42)
end)

it("a holder that dies releases the lock to the next waiter", function()
  local m = nmap.mutex("death")
  local _, st1 = stdnse.new_thread(function() m "lock"; stdnse.sleep(0.01); error("dies holding") end)
  stdnse.sleep(0.001)
  local got
  local _, st2 = stdnse.new_thread(function() m "lock"; got = true; m "done" end)
  join { st1, st2 }
  eq(got, true)
  eq(m "running", nil)
end)

it("the same object gives the same function while it is referenced", function()
  local key = {}
  local m1 = nmap.mutex(key)
  collectgarbage(); collectgarbage()
  eq(nmap.mutex(key), m1)
  eq(nmap.mutex("by value"), nmap.mutex("by" .. " value"))
end)

it("an unreferenced free mutex is forgotten; its key does not leak", function()
  local probe = setmetatable({}, { __mode = "k" })
  do
    local key = {}
    probe[key] = true
    local m = nmap.mutex(key)
    m "lock"
    m "done"
  end
  collectgarbage(); collectgarbage()
  eq(next(probe), nil, "the key was collected")
  local old = setmetatable({ nmap.mutex("fresh") }, { __mode = "v" })
  old[1] "lock"
  old[1] "done"
  collectgarbage(); collectgarbage()
  eq(old[1], nil, "the free mutex function was collected")
  eq(nmap.mutex("fresh") "running", nil, "a new, unlocked mutex")
end)

it("a held mutex is never lost, even when nobody keeps its function", function()
  local weak = setmetatable({}, { __mode = "v" })
  nmap.mutex("held") "lock"
  weak[1] = nmap.mutex("held")
  collectgarbage(); collectgarbage()
  eq(weak[1] ~= nil, true, "still alive while held")
  eq(nmap.mutex("held") "running", coroutine.running())
  nmap.mutex("held") "done"
end)

it("a mutex with waiters is never lost", function()
  local co0 = coroutine.running()
  nmap.mutex("waited") "lock"
  local got
  local _, st = stdnse.new_thread(function() nmap.mutex("waited") "lock"; got = true; nmap.mutex("waited") "done" end)
  stdnse.sleep(0.005)
  collectgarbage(); collectgarbage()
  eq(nmap.mutex("waited") "running", co0)
  nmap.mutex("waited") "done"
  join { st }
  eq(got, true)
end)

return spec.run()
