-- CPU-bound Lua work: TASKS tasks, each a naive count of the primes below M (trial division, integers only).
--   serial_ms: the tasks one after the other in this thread.
--   Under Spindle also, with a concurrent.futures.ProcessPoolExecutor (each worker an isolated Lua state on its
--   own OS thread): pool1_ms with max_workers = 1, pool2_ms with max_workers = 2, and speedup = pool1_ms / pool2_ms.
--   The pool's workers are started (a small task submitted per worker, and waited for) before the clock starts;
--   each task's result is checked.
-- Portable: plain lua5.4 runs the serial figure only. Wall clock: nmap.clock under Spindle, else
-- cqueues.monotime when it loads, else os.clock.
-- usage: pool_cpu.lua [TASKS [M [order]]]   order "12" (default: 1 worker first) or "21"
local TASKS = math.tointeger(tonumber((...))) or 16
local M = math.tointeger(tonumber((select(2, ...)))) or 120000
local order = select(3, ...) or "12"

local has_futures, futures = pcall(require, "concurrent.futures")
local has_nmap, nmap = pcall(require, "nmap")
local has_cqueues, cqueues = pcall(require, "cqueues")
local clock = has_nmap and nmap.clock or has_cqueues and cqueues.monotime or os.clock

-- One task. Copied into the pool's workers, so it keeps no upvalue but _ENV.
local function primes(m)
  local count = 0
  for n = 2, m - 1 do
    local d, prime = 2, true
    while d * d <= n do
      if n % d == 0 then
        prime = false
        break
      end
      d = d + 1
    end
    if prime then count = count + 1 end
  end
  return count
end

local expected = primes(1000) == 168 and primes(M) -- also warms up

local function check(count)
  if count ~= expected then error(("a task counted %s primes below %d, not %d"):format(count, M, expected)) end
end

local t0 = clock()
for _ = 1, TASKS do check(primes(M)) end
print(("@result serial_ms %.3f"):format((clock() - t0) * 1000))

if not has_futures then return end

local function pooled(workers)
  local pool = futures.ProcessPoolExecutor { max_workers = workers }
  local warm = {}
  for i = 1, workers do warm[i] = pool:submit(primes, 1000) end
  for i = 1, workers do warm[i]:result() end
  local t = clock()
  local fs = {}
  for i = 1, TASKS do fs[i] = pool:submit(primes, M) end
  for i = 1, TASKS do check(fs[i]:result()) end
  t = clock() - t
  pool:shutdown()
  return t
end

local one, two
if order == "21" then
  two = pooled(2)
  one = pooled(1)
else
  one = pooled(1)
  two = pooled(2)
end
print(("@result pool1_ms %.3f"):format(one * 1000))
print(("@result pool2_ms %.3f"):format(two * 1000))
print(("@result speedup %.4f"):format(one / two))
