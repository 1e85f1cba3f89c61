-- The script module: background scripts, handles, waits, status, unwind functions.
local spec = require "spindle.spec"
local script = require "script"
local session = require "session"
local it, eq, raises = spec.it, spec.eq, spec.raises

it("the main script has a handle and is not in the background", function()
  eq(math.type(script.handle()), "integer")
  eq(script.handle() > 0, true)
  eq(script.in_background(), false)
  eq(script.folder():sub(-#"spec/script"), "spec/script")
  eq(math.type(script.elapsed()), "integer")
end)

it("run_background returns unique positive handles; arguments are copied", function()
  local t = { list = { 1, 2.5, "three", true } }
  t.self = t
  local h1 = script.run_background("echo_args.lua", "k1", t, function(x) return x + 1 end)
  local h2 = script.run_background("echo_args.lua", "k2", { list = {} })
  eq(h1 ~= h2 and h1 > 0 and h2 > 0, true)
  eq(script.wait(h1, 20000), true)
  eq(script.wait(h2, 20000), true)
  eq(session.get_string("echo", "k1"), "integer float string boolean cycle 42 bg")
  eq(t.list[1], 1, "the caller's table is untouched")
end)

it("values that cannot cross are refused with their type and place", function()
  raises("cannot copy a thread (at argument 2.co)", script.run_background, "echo_args.lua", "x", { co = coroutine.create(print) })
  local up = 1
  raises("cannot copy a function (at argument 1): it has the upvalue 'up'", script.run_background, "echo_args.lua", function() return up end)
  raises("cannot copy a userdata (at argument 1)", script.run_background, "echo_args.lua", io.stdout)
  raises("script.run_background: cannot read script", script.run_background, "no_such_script.lua")
end)

it("wait returns false on timeout and true once the script has ended", function()
  local h = script.run_background("sleeper.lua", 0.3)
  eq(script.wait(h, 10), false)
  eq(script.status(h), "running")
  eq(script.wait(h), true)
  eq(script.status(h), "done")
end)

it("the error that ended a background script is available to the caller", function()
  local h = script.run_background("fails.lua")
  eq(script.wait(h, 20000), true)
  local status, err = script.status(h)
  eq(status, "failed")
  eq(err:find("fails.lua:2: background failure", 1, true) ~= nil, true, err)
end)

it("unwind functions run when a background script fails", function()
  session.set("unwind", "flag", 0)
  local h = script.run_background("unwinds.lua")
  eq(script.wait(h, 20000), true)
  eq(session.get_integer("unwind", "flag"), 1)
  eq((script.status(h)), "failed")
end)

it("bad arguments are errors naming the function", function()
  raises("bad argument #1 to 'script.wait' (script handle expected, got nil)", script.wait)
  raises("bad argument #1 to 'script.wait' (script handle expected, got 0)", script.wait, 0)
  raises("bad argument #2 to 'script.wait' (non-negative number expected, got -1)", script.wait, script.handle(), -1)
  raises("no script with handle 999999", script.status, 999999)
  raises("bad argument #1 to 'script.run_background' (string expected, got nil)", script.run_background)
  raises("bad argument #1 to 'script.on_unwind' (function expected, got string)", script.on_unwind, "f")
end)

return spec.run()
