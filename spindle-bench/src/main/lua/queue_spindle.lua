-- Spindle: N small items (the integers 1..N) through one queue.Queue(1024) from a producer to a consumer on
-- two isolated threads (each its own Lua state on its own OS thread; the queue crosses as itself).
--   queue_workers_per_s: producer and consumer are the two workers of a ProcessPoolExecutor{max_workers=2};
--                        the main script only waits for their futures.
--   queue_main_per_s:    one ProcessPoolExecutor worker produces; the main script consumes.
-- The rate is N over the time from the first of the two sides starting to the last one ending (nmap.clock:
-- the same wall clock in every state). Both pools are warmed up first, so starting a worker's state is not
-- timed. The consumer checks the sum of what it got.
-- usage (Spindle): queue_spindle.lua [N]
local futures, queue, nmap = require "concurrent.futures", require "queue", require "nmap"
local N = math.tointeger(tonumber((...))) or 1000000
local WARM = 5000 -- more than the queue holds, so the warm-up producer blocks until the consumer runs

-- Both are copied into the workers: no upvalue but _ENV.
local function produce(q, n)
  local clock = require("nmap").clock
  local t0 = clock()
  for i = 1, n do q:put(i) end
  return t0, clock()
end

local function consume(q, n)
  local clock = require("nmap").clock
  local t0, sum = clock(), 0
  for _ = 1, n do sum = sum + q:get() end
  return t0, clock(), sum
end

local function rate(n, p0, p1, c0, c1, sum)
  if sum ~= n * (n + 1) // 2 then error(("consumer got the wrong sum %d for %d items"):format(sum, n)) end
  return n / (math.max(p1, c1) - math.min(p0, c0))
end

-- two workers
local q = queue.Queue(1024)
local pool = futures.ProcessPoolExecutor { max_workers = 2 }
local function both(n)
  local fp, fc = pool:submit(produce, q, n), pool:submit(consume, q, n)
  local p0, p1 = fp:result()
  return rate(n, p0, p1, fc:result())
end
both(WARM) -- starts both workers: the producer fills the queue and waits for the other worker to consume
local workers = both(N)
pool:shutdown()

-- one worker and the main script
local q2 = queue.Queue(1024)
local pool2 = futures.ProcessPoolExecutor { max_workers = 1 }
local function main_consumes(n)
  local fp = pool2:submit(produce, q2, n)
  local c0, c1, sum = consume(q2, n)
  local p0, p1 = fp:result()
  return rate(n, p0, p1, c0, c1, sum)
end
main_consumes(WARM)
local main = main_consumes(N)
pool2:shutdown()

print(("@result queue_workers_per_s %.1f"):format(workers))
print(("@result queue_main_per_s %.1f"):format(main))
