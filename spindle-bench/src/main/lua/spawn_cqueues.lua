-- cqueues: N coroutines of one controller (cq:wrap) each wait on one cqueues condition, then one signal to all.
-- Same figures as spawn_spindle.lua; the memory is measured here: Lua heap growth (collectgarbage "count")
-- and the process's RSS growth (/proc/self/status VmRSS), both per waiting coroutine.
-- usage: lua5.4 spawn_cqueues.lua [N [wall|cpu]]
local cqueues = require "cqueues"
local condition = require "cqueues.condition"
local N = math.tointeger(tonumber((...))) or 100000
local clock = select(2, ...) == "cpu" and os.clock or cqueues.monotime -- wall clock unless "cpu"

local function rss_bytes()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return (tonumber(s:match("VmRSS:%s*(%d+)")) or 0) * 1024
end

local cq = cqueues.new()
local cv = condition.new()
local started, finished = 0, 0
local function worker()
  started = started + 1
  cv:wait()
  finished = finished + 1
end

collectgarbage()
collectgarbage()
local m0, r0 = collectgarbage("count"), rss_bytes()

local t0 = clock()
for _ = 1, N do cq:wrap(worker) end
local t1 = clock()
while started < N do assert(cq:step(0)) end
local t2 = clock()

collectgarbage()
collectgarbage()
local m1, r1 = collectgarbage("count"), rss_bytes()

local t3 = clock()
cv:signal()
while finished < N do assert(cq:step(0)) end
local t4 = clock()
assert(cq:empty(), "coroutines left over")

print(("@result spawn_per_s %.1f"):format(N / (t1 - t0)))
print(("@result start_per_s %.1f"):format(N / (t2 - t0)))
print(("@result wake_per_s %.1f"):format(N / (t4 - t3)))
print(("@result lua_bytes_per_thread %.2f"):format((m1 - m0) * 1024 / N))
print(("@result rss_bytes_per_thread %.2f"):format((r1 - r0) / N))
