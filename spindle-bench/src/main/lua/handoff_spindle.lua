-- Spindle: condition-variable hand-offs (nmap.condvar) between two script threads. Two players pass a turn
-- back and forth; each pass is one hand-off (the passer signals the other's condvar and waits on its own).
--   handoff_workers_ns: two stdnse worker threads play; the main thread waits for both to finish.
--   handoff_main_ns:    the main thread plays against one worker.
-- usage (Spindle): handoff_spindle.lua [N [wall|cpu]]   (N passes per player, so 2N hand-offs)
local nmap, stdnse = require "nmap", require "stdnse"
local N = math.tointeger(tonumber((...))) or 500000
local clock = select(2, ...) == "cpu" and os.clock or nmap.clock -- wall clock unless "cpu"

local function game()
  local g = { turn = "A", cv = { A = nmap.condvar({}), B = nmap.condvar({}) } }
  function g.play(me, other)
    local mycv, othercv = g.cv[me], g.cv[other]
    for _ = 1, N do
      while g.turn ~= me do mycv "wait" end
      g.turn = other
      othercv "signal"
    end
  end
  return g
end

-- two workers
local g = game()
local finished = 0
local done = nmap.condvar({})
local function player(me, other)
  g.play(me, other)
  finished = finished + 1
  done "signal"
end
local t0 = clock()
stdnse.new_thread(player, "A", "B")
stdnse.new_thread(player, "B", "A")
while finished < 2 do done "wait" end
local workers_ns = (clock() - t0) * 1e9 / (2 * N)

-- main against a worker
local g2 = game()
t0 = clock()
stdnse.new_thread(g2.play, "B", "A")
g2.play("A", "B")
local main_ns = (clock() - t0) * 1e9 / (2 * N)

print(("@result handoff_workers_ns %.3f"):format(workers_ns))
print(("@result handoff_main_ns %.3f"):format(main_ns))
