-- Blocking inside a script's own coroutines, and the coroutine library's Lua 5.4 meaning.
local spec = require "spindle.spec"
local stdnse = require "stdnse"
local nmap = require "nmap"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

it("a generator made with coroutine.wrap may sleep and still yields its values", function()
  local gen = coroutine.wrap(function()
    stdnse.sleep(0.001)
    coroutine.yield("a")
    stdnse.sleep(0.001)
    coroutine.yield("b")
    return "c"
  end)
  same({ gen(), gen(), gen() }, { "a", "b", "c" })
  raises("cannot resume dead coroutine", gen)
end)

it("other threads run while a generator is blocked inside", function()
  local ran = false
  stdnse.new_thread(function() ran = true end)
  local gen = coroutine.wrap(function() stdnse.sleep(0.005) return ran end)
  eq(gen(), true)
end)

it("a blocked inner coroutine is suspended for the rest of the world", function()
  local inner
  local seen
  local _, st = stdnse.new_thread(function()
    inner = coroutine.create(function() stdnse.sleep(0.02) return "done" end)
    local ok, v = coroutine.resume(inner)
    eq(ok, true)
    eq(v, "done")
  end)
  stdnse.sleep(0.005)
  seen = coroutine.status(inner)
  eq(seen, "suspended")
  spec.join { st }
  eq(select(2, st()), nil)
  eq(coroutine.status(inner), "dead")
end)

it("resume returns true and the values, or false and the error", function()
  local co = coroutine.create(function(a, b)
    local c = coroutine.yield(a + b)
    stdnse.sleep(0)
    error({ c = c })
  end)
  same({ coroutine.resume(co, 1, 2) }, { true, 3 })
  eq(coroutine.status(co), "suspended")
  local ok, err = coroutine.resume(co, "x")
  eq(ok, false)
  eq(err.c, "x")
  eq(coroutine.status(co), "dead")
end)

it("wrap re-raises errors with the caller's position", function()
  local gen = coroutine.wrap(function() error("inner") end)
  local err = raises("inner", function() local v = gen() return v end)
  eq(err:match("coroutine_spec%.lua:%d+: .*coroutine_spec%.lua:%d+: inner") ~= nil, true, err)
  local gen2 = coroutine.wrap(function() error({ 1 }) end)
  local ok, e = pcall(gen2)
  eq(ok, false)
  eq(type(e), "table")
end)

it("running, isyieldable, status and close keep their meaning", function()
  local main = coroutine.running()
  eq(coroutine.status(main), "running")
  eq(coroutine.isyieldable(), false, "the base of a script thread")
  local co
  co = coroutine.create(function()
    eq(coroutine.running(), co)
    eq(coroutine.isyieldable(), true)
    eq(coroutine.status(main), "normal")
    coroutine.yield()
  end)
  coroutine.resume(co)
  local closed = false
  local co2 = coroutine.create(function()
    local _ <close> = setmetatable({}, { __close = function() closed = true end })
    coroutine.yield()
  end)
  coroutine.resume(co2)
  eq(coroutine.close(co2), true)
  eq(closed, true, "to-be-closed variables run on close")
  eq(coroutine.status(co2), "dead")
end)

it("nested generators block through every level", function()
  local outer = coroutine.wrap(function()
    local inner = coroutine.wrap(function()
      for i = 1, 3 do stdnse.sleep(0.001); coroutine.yield(i) end
    end)
    for _ = 1, 3 do
      local v = inner()
      stdnse.sleep(0.001)
      coroutine.yield(v * 10)
    end
  end)
  same({ outer(), outer(), outer() }, { 10, 20, 30 })
end)

it("a mutex taken inside a generator belongs to that generator", function()
  local m = nmap.mutex({})
  local gen = coroutine.wrap(function() m "lock"; coroutine.yield(coroutine.running()); m "done" end)
  local genco = gen()
  eq(m "running", genco)
  gen()
  eq(m "running", nil)
end)

it("blocking where Lua cannot yield is an error that says so", function()
  local t = { 3, 1, 2 }
  raises("cannot block here", table.sort, t, function(a, b) stdnse.sleep(0) return a < b end)
  raises("cannot block here", string.gsub, "ab", ".", function() stdnse.sleep(0) end)
end)

it("yields pass through pcall", function()
  local ok, v = pcall(function() stdnse.sleep(0.001) return "fine" end)
  eq(ok, true)
  eq(v, "fine")
end)

return spec.run()
