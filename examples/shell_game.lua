-- The shell game of the Legato session-data reference: background workers, each on its own OS thread
-- with its own Lua state, pass one token ("Shell") through the shared session store. Only the worker
-- that grabbed the shell may be in the critical section. The main script checks that no two workers
-- were ever inside at once and that the swap counts add up.
--
--   bin/spindle run examples/shell_game.lua [SECONDS] [WORKERS] [atomic|racy]
--
-- "racy" grabs the shell with a separate get and set instead of test_and_set: the game then fails.
local script = require "script"
local session = require "session"
local stdnse = require "stdnse"

local seconds = tonumber((...)) or 5
local nworkers = math.tointeger(tonumber((select(2, ...)))) or 12
local mode = select(3, ...) or "atomic"
assert(mode == "atomic" or mode == "racy", "mode must be atomic or racy")

-- set the named values to a known state
session.set("shell", "Collisions", 0)
session.set("shell", "Inside", 0)
session.set("shell", "Owner", "")
session.set("shell", "Stop", false)
session.set("shell", "Swaps", 0)
session.set("shell", "Shell", true)
-- if this script fails or is stopped, stop the workers too
script.on_unwind(function() session.set("shell", "Stop", true) end)

local workers = {}
for i = 1, nworkers do
  workers[i] = script.run_background(script.folder() .. "/shell_game_worker.lua", mode)
end

stdnse.sleep(seconds)
session.set("shell", "Stop", true)

local total = 0
for i, h in ipairs(workers) do
  assert(script.wait(h, 10000), "worker did not stop in time")
  local status, err = script.status(h)
  assert(status == "done", err)
  local count = session.get_integer("shell", ("0x%08X"):format(h)) or 0
  print(("%2d 0x%08X - %d swaps"):format(i, h, count))
  total = total + count
end

local swaps = session.get_integer("shell", "Swaps")
local collisions = session.get_integer("shell", "Collisions")
if session.get_string("shell", "Shell") ~= "1" or collisions ~= 0 or swaps ~= total then
  print(("FAIL: %d collisions, %d swaps recorded, %d counted by the workers"):format(collisions, swaps, total))
  os.exit(1)
end
print(("Pass - %d/%d swaps, no collisions (%s)"):format(swaps, total, mode))
