-- NSE-style parallelism: a script splits work among worker threads, guards shared state with a
-- mutex and waits for the workers with a condition variable (the idiom of NSE's documentation).
--
--   bin/spindle run examples/workers.lua [WORKERS] [JOBS]
local stdnse = require "stdnse"
local nmap = require "nmap"

local nworkers = tonumber((...)) or 4
local njobs = tonumber((select(2, ...))) or 20

local jobs = {}
for i = 1, njobs do jobs[i] = i end
local results, done = {}, 0
local lock = nmap.mutex(jobs)        -- guards `jobs`
local finished = nmap.condvar(results) -- signalled when a worker ends

local function worker(id)
  while true do
    lock "lock"
    local job = table.remove(jobs, 1)
    lock "done"
    if not job then break end
    stdnse.sleep(0.01 * (job % 3 + 1)) -- pretend to wait on the network
    results[#results + 1] = ("job %2d done by worker %d"):format(job, id)
  end
  done = done + 1
  finished "signal"
end

local start = nmap.clock()
local statuses = {}
for id = 1, nworkers do
  local _, status = stdnse.new_thread(worker, id)
  statuses[id] = status
end

-- Wait until every worker has ended; re-check the predicate after every wakeup.
while done < nworkers do
  finished "wait"
end

for _, line in ipairs(results) do print(line) end
for id, status in ipairs(statuses) do
  local state, err = status()
  if err then print(("worker %d failed: %s"):format(id, tostring(err))) end
  assert(state == "dead")
end
print(("%d jobs on %d workers in %.2f s"):format(#results, nworkers, nmap.clock() - start))
