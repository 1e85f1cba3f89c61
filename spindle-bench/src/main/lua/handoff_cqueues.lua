-- cqueues: the same condition-variable ping-pong as handoff_spindle.lua, between two coroutines of one
-- cqueues controller (cqueues.condition). usage: lua5.4 handoff_cqueues.lua [N [wall|cpu]]  (2N hand-offs)
local cqueues = require "cqueues"
local condition = require "cqueues.condition"
local N = math.tointeger(tonumber((...))) or 200000
local clock = select(2, ...) == "cpu" and os.clock or cqueues.monotime -- wall clock unless "cpu"

local cq = cqueues.new()
local turn = "A"
local cv = { A = condition.new(), B = condition.new() }
local function play(me, other)
  local mycv, othercv = cv[me], cv[other]
  for _ = 1, N do
    while turn ~= me do mycv:wait() end
    turn = other
    othercv:signal(1)
  end
end

local t0 = clock()
cq:wrap(play, "A", "B")
cq:wrap(play, "B", "A")
assert(cq:loop())
local t1 = clock()

print(("@result handoff_ns %.3f"):format((t1 - t0) * 1e9 / (2 * N)))
