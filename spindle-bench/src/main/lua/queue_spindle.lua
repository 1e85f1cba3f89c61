-- Spindle: N small items (the integers 1..N) through one queue.Queue(1024) from a producer to a consumer on
-- two isolated threads (each its own Lua state on its own OS thread; the queue crosses as itself).
--   queue_workers_per_s: producer and consumer are the two workers of a ProcessPoolExecutor{max_workers=2};
--                        the main script only waits for their futures.
--   queue_main_per_s:    one ProcessPoolExecutor worker produces; the main script consumes.
--   queue_batch_per_s:   two workers again, with Spindle's batch calls: the producer puts lists of BATCH items
--                        with q:put_many, the consumer takes up to BATCH at a time with q:get_many.
-- The rate is N over the time from the first of the two sides starting to the last one ending (nmap.clock:
-- the same wall clock in every state). Both pools are warmed up first, so starting a worker's state is not
-- timed. The consumer checks the sum of what it got.
-- usage (Spindle): queue_spindle.lua [N [BATCH]]
local futures, queue, nmap = require "concurrent.futures", require "queue", require "nmap"
local N = math.tointeger(tonumber((...))) or 1000000
local BATCH = math.tointeger(tonumber((select(2, ...)))) or 256
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

local function produce_batches(q, n, batch)
  local clock = require("nmap").clock
  local t0, list = clock(), {}
  for i = 1, n, batch do
    local k = math.min(batch, n - i + 1)
    for j = 1, k do list[j] = i + j - 1 end
    for j = k + 1, batch do list[j] = nil end
    q:put_many(list)
  end
  return t0, clock()
end

local function consume_batches(q, n, batch)
  local clock = require("nmap").clock
  local t0, sum, got = clock(), 0, 0
  while got < n do
    local items = q:get_many(batch)
    for i = 1, items.n do sum = sum + items[i] end
    got = got + items.n
  end
  return t0, clock(), sum
end

local function rate(n, p0, p1, c0, c1, sum)
  if sum ~= n * (n + 1) // 2 then error(("consumer got the wrong sum %d for %d items"):format(sum, n)) end
  return n / (math.max(p1, c1) - math.min(p0, c0))
end

-- two workers
local q = queue.Queue(1024)
local pool = futures.ProcessPoolExecutor { max_workers = 2 }
local function both(n, producer, consumer)
  local fp, fc = pool:submit(producer, q, n, BATCH), pool:submit(consumer, q, n, BATCH)
  local p0, p1 = fp:result()
  return rate(n, p0, p1, fc:result())
end
both(WARM, produce, consume) -- starts both workers: the producer fills the queue, waits for the other to consume
local workers = both(N, produce, consume)
both(WARM, produce_batches, consume_batches)
local batches = both(N, produce_batches, consume_batches)
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
print(("@result queue_batch_per_s %.1f"):format(batches))
