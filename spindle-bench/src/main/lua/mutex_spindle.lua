-- Spindle: an uncontended nmap.mutex "lock" + "done" pair, N times, in the main thread and in a worker.
-- usage (Spindle): mutex_spindle.lua [N [wall|cpu]]
local nmap, stdnse = require "nmap", require "stdnse"
local N = math.tointeger(tonumber((...))) or 3000000
local clock = select(2, ...) == "cpu" and os.clock or nmap.clock -- wall clock unless "cpu"

local function pairs_ns(m)
  local t0 = clock()
  for _ = 1, N do
    m "lock"
    m "done"
  end
  return (clock() - t0) * 1e9 / N
end

local key = {}
local m = nmap.mutex(key)
local main_ns = pairs_ns(m)

-- the same from a worker thread (a second script thread record, with its own destructor table)
local worker_ns
local donecv = nmap.condvar({})
stdnse.new_thread(function() worker_ns = pairs_ns(m); donecv "signal" end)
while not worker_ns do donecv "wait" end

-- trylock + done, for reference
local t0 = clock()
for _ = 1, N do
  m "trylock"
  m "done"
end
local try_ns = (clock() - t0) * 1e9 / N

print(("@result mutex_pair_ns %.3f"):format(main_ns))
print(("@result mutex_pair_worker_ns %.3f"):format(worker_ns))
print(("@result trylock_pair_ns %.3f"):format(try_ns))
