-- cqueues.condition and cqueues.promise.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local condition = require "cqueues.condition"
local promise = require "cqueues.promise"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

it("signal(n) wakes n waiters in FIFO order, signal() wakes all, and returns the count", function()
  local cq, cv = cqueues.new(), condition.new()
  local woke = {}
  for i = 1, 4 do cq:wrap(function() eq(cv:wait(), true); woke[#woke + 1] = i end) end
  cq:step(0)
  eq(cv:signal(1), 1)
  cq:step(0)
  same(woke, { 1 })
  eq(cv:signal(), 3)
  assert(cq:loop())
  same(woke, { 1, 2, 3, 4 })
  eq(cv:signal(), 0)
end)

it("lifo conditions pick the newest waiter", function()
  local cq, cv = cqueues.new(), condition.new(true)
  local woke
  for i = 1, 3 do cq:wrap(function() cv:wait(); woke = woke or i end) end
  cq:step(0)
  cv:signal(1)
  cq:step(0)
  eq(woke, 3)
  cv:signal()
  assert(cq:loop())
end)

it("wait with a timeout returns false and the number", function()
  local cq, cv = cqueues.new(), condition.new()
  local a, b
  cq:wrap(function() a, b = cv:wait(0.01) end)
  assert(cq:loop())
  eq(a, false)
  eq(b, 0.01)
end)

it("a waiter that timed out does not swallow a signal", function()
  local cq, cv = cqueues.new(), condition.new()
  local got = {}
  cq:wrap(function() got.a = cv:wait(0.01) end)
  cq:wrap(function() cqueues.sleep(0.03); got.b = cv:wait() end)
  cq:wrap(function() cqueues.sleep(0.05); got.n = cv:signal(1) end)
  assert(cq:loop())
  eq(got.a, false)
  eq(got.b, true)
  eq(got.n, 1)
end)

it("wait also returns other ready objects; signal works from outside any controller", function()
  local cq, cv, other = cqueues.new(), condition.new(), condition.new()
  local r
  cq:wrap(function() r = table.pack(cv:wait(other, 5)) end)
  cq:step(0)
  other:signal()
  assert(cq:loop())
  eq(r[1], false)
  eq(r[2], other)
end)

it("a condition is pollable directly and through {pollfd = cv}", function()
  local cq, cv = cqueues.new(), condition.new()
  local obj = { pollfd = cv }
  local got
  cq:wrap(function() got = cqueues.poll(obj) end)
  cq:step(0)
  cv:signal()
  assert(cq:loop())
  eq(got, obj)
  eq(cv(), cv)
  eq(condition.type(cv), "condition")
  eq(condition.type({}), nil)
end)

it("a condition waits at a script's top level too, suspending only the script thread", function()
  local stdnse = require "stdnse"
  local cv = condition.new()
  stdnse.new_thread(function() stdnse.sleep(0.01); cv:signal() end)
  eq(cv:wait(5), true)
end)

it("promises: fulfilled values keep their count; status and __call", function()
  local cq = cqueues.new()
  local p = promise.new()
  local r
  cq:wrap(function() r = table.pack(p:get()) end)
  cq:step(0)
  eq(p:status(), "pending")
  p:set(true, 1, nil, 3)
  assert(cq:loop())
  eq(r.n, 3)
  eq(r[3], 3)
  eq(p:status(), "fulfilled")
  eq(p(), 1)
  eq(tostring(p), "1")
  raises("attempt to set value of resolved promise", p.set, p, true)
end)

it("promises: a rejection re-raises the reason; a timeout returns nothing", function()
  local p = promise.new()
  eq(select("#", p:get(0.01)), 0)
  eq(p:wait(0.01), nil)
  local e = {}
  p:set(false, e)
  eq(p:status(), "rejected")
  local ok, err = pcall(p.get, p)
  eq(ok, false)
  eq(err, e)
  eq(p:wait(), p)
end)

it("promise.new(f) runs f in the running controller", function()
  local cq = cqueues.new()
  local p
  cq:wrap(function()
    p = promise.new(function(a) cqueues.sleep(0.01); return a * 2 end, 21)
    eq(p:get(), 42)
  end)
  assert(cq:loop())
  eq(promise.type(p), "promise")
  raises("running controller", promise.new, function() end)
end)

it("a settled promise polls ready at once", function()
  local p = promise.new()
  p:set(true, "x")
  eq(cqueues.poll(p, 5), p)
end)
return spec.run()
