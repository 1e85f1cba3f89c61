-- cqueues controllers: wrap, step, loop, errors, nesting, poll, close.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

it("wrap passes its extra arguments on the first resume and returns the controller", function()
  local cq = cqueues.new()
  local got
  eq(cq:wrap(function(a, b) got = a + b end, 2, 3), cq)
  eq(cq:count(), 1)
  eq(cq:loop(), true)
  eq(got, 5)
  eq(cq:empty(), true)
end)

it("an empty controller's loop returns true at once", function()
  eq(cqueues.new():loop(), true)
end)

it("sleep suspends only its coroutine: two sleepers overlap", function()
  local cq = cqueues.new()
  local t0 = cqueues.monotime()
  for _ = 1, 2 do cq:wrap(function() cqueues.sleep(0.05) end) end
  assert(cq:loop())
  local dt = cqueues.monotime() - t0
  eq(dt >= 0.049 and dt < 0.095, true, "two 0.05 s sleeps took " .. dt)
end)

it("poll returns a fired timeout as the number itself, and yield-once returns nothing", function()
  local cq = cqueues.new()
  local r, n
  cq:wrap(function()
    r = cqueues.poll(0.01)
    n = select("#", cqueues.poll())
  end)
  assert(cq:loop())
  eq(r, 0.01)
  eq(n, 0)
end)

it("step returns false, the raw error object, nil and the coroutine; the others keep running", function()
  local cq = cqueues.new()
  local e = { code = 7 }
  local ran = 0
  local co
  cq:wrap(function() co = coroutine.running(); error(e) end)
  cq:wrap(function() cqueues.sleep(0.01); ran = ran + 1 end)
  local ok, err, code, thr = cq:loop()
  eq(ok, false)
  eq(err, e)
  eq(code, nil)
  eq(thr, co)
  assert(cq:loop())
  eq(ran, 1)
end)

it("errors() iterates every failure and ends when the controller is empty", function()
  local cq = cqueues.new()
  for i = 1, 3 do cq:wrap(function() cqueues.sleep(0.001 * i); error("boom " .. i, 0) end) end
  local seen = {}
  for err in cq:errors() do seen[#seen + 1] = err end
  same(seen, { "boom 1", "boom 2", "boom 3" })
end)

it("attach manages an existing coroutine; a dead one fails in step", function()
  local cq = cqueues.new()
  local co = coroutine.create(function() end)
  coroutine.resume(co)
  cq:attach(co)
  local ok, err, _, thr = cq:step()
  eq(ok, false)
  eq(err, "cannot resume dead coroutine")
  eq(thr, co)
end)

it("nested controllers: outer coroutines run while the inner one sleeps", function()
  local outer, inner = cqueues.new(), cqueues.new()
  local order = {}
  inner:wrap(function() cqueues.sleep(0.05); order[#order + 1] = "inner" end)
  outer:wrap(function() assert(inner:loop()); order[#order + 1] = "inner done" end)
  outer:wrap(function() cqueues.sleep(0.01); order[#order + 1] = "outer" end)
  local t0 = cqueues.monotime()
  assert(outer:loop())
  same(order, { "outer", "inner", "inner done" })
  eq(cqueues.monotime() - t0 < 0.1, true)
end)

it("a controller is pollable: poll(cq) returns it once it has work", function()
  local outer, inner = cqueues.new(), cqueues.new()
  local got
  outer:wrap(function() got = cqueues.poll(inner) end)
  eq(outer:step(0), true)
  eq(got, nil)
  inner:wrap(function() end)
  assert(outer:loop())
  eq(got, inner)
  eq(inner:timeout(), 0)
  assert(inner:loop())
  eq(inner:timeout(), nil)
end)

it("running() names the controller and whether the caller is its coroutine", function()
  local cq = cqueues.new()
  local a, b, c, d
  cq:wrap(function()
    a, b = cqueues.running()
    coroutine.wrap(function() c, d = cqueues.running() end)()
  end)
  assert(cq:loop())
  eq(a, cq)
  eq(b, true)
  eq(c, cq)
  eq(d, false)
  local x, y = cqueues.running()
  eq(x, nil)
  eq(y, false)
end)

it("a plain yield leaves step through its resumer and comes back with the answer", function()
  local cq = cqueues.new()
  local got
  cq:wrap(function() got = coroutine.yield("out") end)
  local co = coroutine.wrap(function() return cq:loop() end)
  eq(co(), "out")
  eq(co("back"), true)
  eq(got, "back")
end)

it("stepping a controller from its own coroutine raises", function()
  local cq = cqueues.new()
  local err
  cq:wrap(function() err = select(2, pcall(cq.step, cq)) end)
  assert(cq:loop())
  eq(tostring(err):find("cannot step live cqueue", 1, true) ~= nil, true)
end)

it("close drops the coroutines, wakes its pollers, and later calls raise", function()
  local cq, other = cqueues.new(), cqueues.new()
  local resumed = false
  cq:wrap(function() cqueues.sleep(10); resumed = true end)
  cq:step(0)
  local got
  other:wrap(function() got = cqueues.poll(cq, 5) end)
  other:step(0)
  cq:close()
  cq:close()
  assert(other:loop())
  eq(got, cq)
  eq(resumed, false)
  eq(cqueues.type(cq), "closed controller")
  raises("cqueue closed", cq.step, cq)
end)

it("closing a controller from its own coroutine raises 'cqueue running'", function()
  local cq = cqueues.new()
  local err
  cq:wrap(function() err = select(2, pcall(cq.close, cq)) end)
  assert(cq:loop())
  eq(tostring(err):find("cqueue running", 1, true) ~= nil, true)
end)

it("poll accepts ad hoc objects whose pollfd is a controller's descriptor", function()
  local cq, inner = cqueues.new(), cqueues.new()
  local obj = { pollfd = inner:pollfd(), events = "r" }
  local got
  cq:wrap(function() got = cqueues.poll(obj, 1) end)
  cq:step(0)
  inner:wrap(function() end)
  assert(cq:loop())
  eq(got, obj)
end)

it("errors from a pollable's fields kill the polling coroutine", function()
  local cq = cqueues.new()
  cq:wrap(function() cqueues.poll({ pollfd = function() error("nope", 0) end }) end)
  local ok, err = cq:loop()
  eq(ok, false)
  eq(err, "error calling method pollfd: nope")
  cq:wrap(function() cqueues.poll({ timeout = "soon" }) end)
  ok, err = cq:loop()
  eq(ok, false)
  eq(err, "error loading field timeout: number expected, got string")
end)

it("loop with a timeout returns true when the time is up", function()
  local cq = cqueues.new()
  cq:wrap(function() cqueues.sleep(10) end)
  local t0 = cqueues.monotime()
  eq(cq:loop(0.02), true)
  eq(cq:count(), 1)
  eq(cqueues.monotime() - t0 < 1, true)
  cq:close()
end)

it("cqueues.type and interpose", function()
  eq(cqueues.type(cqueues.new()), "controller")
  eq(cqueues.type({}), nil)
  local old = cqueues.interpose("hello", function() return "hi" end)
  eq(old, nil)
  eq(cqueues.new():hello(), "hi")
  cqueues.interpose("hello", nil)
end)

it("Spindle waits inside a controller's coroutine suspend only that coroutine", function()
  local nmap, stdnse = require "nmap", require "stdnse"
  local cq = cqueues.new()
  local m = nmap.mutex("cq-spec")
  local order = {}
  cq:wrap(function() m "lock"; stdnse.sleep(0.02); order[#order + 1] = "a"; m "done" end)
  cq:wrap(function() m "lock"; order[#order + 1] = "b"; m "done" end)
  cq:wrap(function() order[#order + 1] = "c" end)
  assert(cq:loop())
  same(order, { "c", "a", "b" })
end)
return spec.run()
