-- stdnse.new_thread, status functions, stdnse.base, worker errors, nmap.registry, nmap.clock.
local spec = require "spindle.spec"
local stdnse = require "stdnse"
local nmap = require "nmap"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same
local join = spec.join

it("a worker starts only when its creator blocks, with the given arguments", function()
  local got
  local co, st = stdnse.new_thread(function(a, b, c) got = { a, b, c } end, 1, "two", 3)
  eq(type(co), "thread")
  eq(st(), "suspended", "before the creator yields")
  eq(got, nil, "has not run yet")
  join { st }
  same(got, { 1, "two", 3 })
  local status, err = st()
  eq(status, "dead")
  eq(err, nil, "a clean end has no error")
end)

it("the status function returns the error object as raised, of any type", function()
  local tbl = { code = 7 }
  local objects = { "text", tbl, 42, true }
  for _, obj in ipairs(objects) do
    local _, st = stdnse.new_thread(function() error(obj, 0) end)
    join { st }
    local status, err = st()
    eq(status, "dead")
    eq(err, obj)
  end
  local _, st = stdnse.new_thread(function() error("with position") end)
  join { st }
  eq(select(2, st()):match("thread_spec%.lua:%d+: with position") ~= nil, true)
end)

it("an error in one worker does not disturb the others or the creator", function()
  local done = 0
  local sts = {}
  for i = 1, 10 do
    local _, st = stdnse.new_thread(function()
      stdnse.sleep(0.001 * i)
      if i % 2 == 0 then error("even " .. i) end
      done = done + 1
    end)
    sts[i] = st
  end
  join(sts)
  eq(done, 5)
  for i = 2, 10, 2 do eq(select(2, sts[i]()):find("even " .. i, 1, true) ~= nil, true) end
end)

it("return values of the worker are discarded", function()
  local _, st = stdnse.new_thread(function() return 1, 2, 3 end)
  join { st }
  eq(select("#", st()), 2)
  eq(select(2, st()), nil)
end)

it("bad arguments are errors naming the function", function()
  raises("bad argument #1 to 'stdnse.new_thread' (function expected, got nil)", stdnse.new_thread, nil)
  raises("bad argument #1 to 'stdnse.new_thread' (function expected, got no value)", stdnse.new_thread)
  raises("bad argument #1 to 'stdnse.new_thread' (function expected, got string)", stdnse.new_thread, "f")
end)

it("stdnse.base is the base coroutine of the calling thread, from workers and user coroutines too", function()
  local main = coroutine.running()
  eq(stdnse.base(), main)
  local inner = coroutine.wrap(function() return stdnse.base() end)
  eq(inner(), main, "inside a generator")
  local wbase, wco
  local co, st = stdnse.new_thread(function()
    wco = coroutine.running()
    wbase = coroutine.wrap(function() stdnse.sleep(0) return stdnse.base() end)()
  end)
  join { st }
  eq(wbase, co, "a worker's base is its own coroutine")
  eq(wco, co)
end)

it("a plain yield at the base of a worker ends it; its coroutine stays suspended", function()
  local after = false
  local _, st = stdnse.new_thread(function() coroutine.yield("x"); after = true end)
  stdnse.sleep(0.005)
  local status, err = st()
  eq(status, "suspended")
  eq(err, "yielded unexpectedly and cannot be resumed")
  eq(after, false)
end)

it("workers of workers run too", function()
  local depth = 0
  local function spawn(n)
    depth = math.max(depth, n)
    if n < 5 then stdnse.new_thread(spawn, n + 1) end
  end
  local _, st = stdnse.new_thread(spawn, 1)
  join { st }
  for _ = 1, 20 do stdnse.sleep(0) end
  eq(depth, 5)
end)

it("nmap.registry is one table shared by every thread", function()
  eq(type(nmap.registry), "table")
  local _, st = stdnse.new_thread(function() nmap.registry.shared = "from worker" end)
  join { st }
  eq(nmap.registry.shared, "from worker")
  eq(require("nmap").registry, nmap.registry)
end)

it("nmap.clock is fractional epoch seconds that move with sleep", function()
  local t0 = nmap.clock()
  eq(math.type(t0), "float")
  eq(t0 > 1.7e9, true, "epoch seconds")
  stdnse.sleep(0.05)
  local dt = nmap.clock() - t0
  eq(dt >= 0.045, true, "slept " .. dt)
  eq(math.abs(nmap.clock_ms() - nmap.clock() * 1000) < 1000, true)
end)

return spec.run()
