-- Runs a Spindle bench script on Spindle's own scheduler and module sources (sched.lua, coroutine.lua,
-- nmap.lua, stdnse.lua, as the runtime ships them) under plain lua5.4, with a stub host instead of the JVM:
-- no reactor, no JNI, no timers (scripts that sleep fail here). It tells how much of a figure is the Lua code
-- of the scheduler itself and how much the JVM host around it adds.
-- usage: lua5.4 sched_mock.lua RUNTIME_DIR SCRIPT [script args...]   (RUNTIME_DIR holds sched.lua etc.)
local dir, script = arg[1], arg[2]
assert(dir and script, "usage: lua5.4 sched_mock.lua RUNTIME_DIR SCRIPT [args...]")

local ok, cq = pcall(require, "cqueues")
local K = {
  clock = ok and cq.monotime or os.clock,
  timer = function() error("sched_mock: no timers (stdnse.sleep) in the stub host", 2) end,
  cancel = function() end,
  out = function(s) io.write(s) end,
}
local function internal(name, ...)
  return assert(loadfile(dir .. "/" .. name .. ".lua", "t"))(...)
end

local S = internal("sched", K)
local rawcoroutine = coroutine
coroutine = internal("coroutine", S)
package.loaded.coroutine = coroutine
for _, name in ipairs { "nmap", "stdnse" } do
  package.preload[name] = function() return internal(name, S, K) end
end

local main = assert(loadfile(script, "t"))
S.spawn(rawcoroutine.create(main), "main (" .. script .. ")", nil, false, table.pack(table.unpack(arg, 3)))
while true do
  local runnable, ended = S.turn()
  if ended then break end
  if runnable == 0 then error("sched_mock: nothing runnable (a deadlock, or a wait on the host)") end
end
local outcome = table.pack(S.outcome())
if outcome[1] ~= "ok" then
  io.stderr:write("sched_mock: ", tostring(outcome[1]), ": ", tostring(outcome[2]), "\n", tostring(outcome[3] or ""), "\n")
  os.exit(1)
end
