-- stdnse.sleep: suspends only the caller, validates its argument.
local spec = require "spindle.spec"
local stdnse = require "stdnse"
local nmap = require "nmap"
local it, eq, raises = spec.it, spec.eq, spec.raises

it("sleeps at least the time asked", function()
  local t0 = nmap.clock()
  stdnse.sleep(0.03)
  eq(nmap.clock() - t0 >= 0.029, true)
end)

it("sleeping threads overlap: blocking suspends only the caller", function()
  local t0 = nmap.clock()
  local sts = {}
  for i = 1, 50 do
    local _, st = stdnse.new_thread(function() stdnse.sleep(0.2) end)
    sts[i] = st
  end
  spec.join(sts)
  local dt = nmap.clock() - t0
  eq(dt < 0.2 * 50 / 4, true, "50 sleeps of 0.2 s took " .. dt .. " s")
end)

it("wakes sleepers in deadline order", function()
  local order = {}
  local sts = {}
  for _, d in ipairs { 0.03, 0.01, 0.02 } do
    local _, st = stdnse.new_thread(function() stdnse.sleep(d); order[#order + 1] = d end)
    sts[#sts + 1] = st
  end
  spec.join(sts)
  eq(order[1], 0.01)
  eq(order[2], 0.02)
  eq(order[3], 0.03)
end)

it("rejects negative and non-number durations", function()
  raises("argument to sleep (-1.000000) must not be negative", stdnse.sleep, -1)
  raises("bad argument #1 to 'stdnse.sleep' (number expected, got string)", stdnse.sleep, "1")
  raises("bad argument #1 to 'stdnse.sleep' (number expected, got nil)", stdnse.sleep)
end)

it("sleep(0) lets other threads run", function()
  local ran = false
  stdnse.new_thread(function() ran = true end)
  stdnse.sleep(0)
  eq(ran, true)
end)

return spec.run()
