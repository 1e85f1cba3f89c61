-- Spindle: N worker threads (stdnse.new_thread) each wait on one condition variable, then one broadcast.
--   spawn_per_s:  new_thread calls per second (the spawning loop alone)
--   start_per_s:  threads per second from the first new_thread to all N waiting (spawn + first run + wait)
--   wake_per_s:   threads per second from the broadcast until all N have run to their end
--   lua_bytes_per_thread: Lua heap growth (collectgarbage "count", after full collections) per waiting thread
-- The harness measures the Java side: "@sync base" and "@sync waiting" are printed at the two points where
-- it takes the Java heap (after GC) and the process RSS; print runs on the reactor thread, so the script is
-- paused while it measures.
-- usage (Spindle): spawn_spindle.lua [N [wall|cpu]]
local nmap, stdnse = require "nmap", require "stdnse"
local N = math.tointeger(tonumber((...))) or 100000
local clock = select(2, ...) == "cpu" and os.clock or nmap.clock -- wall clock unless "cpu"

local cv = nmap.condvar({})
local ready, done = nmap.condvar({}), nmap.condvar({})
local started, finished = 0, 0

local function worker()
  started = started + 1
  if started == N then ready "signal" end
  cv "wait"
  finished = finished + 1
  if finished == N then done "signal" end
end

local new_thread = stdnse.new_thread
collectgarbage()
collectgarbage()
print("@sync base")
collectgarbage()
collectgarbage()
local m0 = collectgarbage("count")

local t0 = clock()
for _ = 1, N do new_thread(worker) end
local t1 = clock()
while started < N do ready "wait" end
local t2 = clock()

collectgarbage()
collectgarbage()
local m1 = collectgarbage("count")
print("@sync waiting")

local t3 = clock()
cv "broadcast"
while finished < N do done "wait" end
local t4 = clock()

print(("@result spawn_per_s %.1f"):format(N / (t1 - t0)))
print(("@result start_per_s %.1f"):format(N / (t2 - t0)))
print(("@result wake_per_s %.1f"):format(N / (t4 - t3)))
print(("@result lua_bytes_per_thread %.2f"):format((m1 - m0) * 1024 / N))
