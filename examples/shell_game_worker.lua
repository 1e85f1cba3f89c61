-- A worker of shell_game.lua: grabs the shell, works in the critical section, puts the shell back.
local script = require "script"
local session = require "session"
local stdnse = require "stdnse"

assert(script.in_background(), "shell_game_worker.lua must be run in the background by shell_game.lua")
local mode = ...
local me = ("0x%08X"):format(script.handle())
local count = 0

local function grab()
  if mode == "racy" then
    -- not thread safe: another worker can see the shell between our get and our set
    if session.get_integer("shell", "Shell") == 0 then return false end
    session.set("shell", "Shell", false)
    return true
  end
  return session.test_and_set("shell", "Shell", session.MATCH, true, false)
end

while session.get_integer("shell", "Stop") == 0 and script.elapsed() < 60000 do
  if grab() then
    -- critical section: only one worker at a time
    if session.increment("shell", "Inside") ~= 0 then session.increment("shell", "Collisions") end
    session.set("shell", "Swaps", session.get_integer("shell", "Swaps") + 1)
    session.set("shell", "Owner", me)
    count = count + 1
    session.set("shell", me, count)
    stdnse.sleep(math.random(0, 4) / 1000) -- pretend to work
    if session.get_string("shell", "Owner") ~= me then session.increment("shell", "Collisions") end
    session.decrement("shell", "Inside")
    session.set("shell", "Shell", true) -- pass the shell back
  else
    stdnse.sleep(0.0005) -- rounds to 1 ms: back off instead of spinning, so 12 workers share 2 cores
  end
end
