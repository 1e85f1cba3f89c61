-- Bare Lua 5.4 coroutine round trip: resume a coroutine that yields straight back, N times.
-- Portable: runs under plain lua5.4 and under Spindle (where coroutine.resume is Spindle's multilevel-yield
-- wrapper, the one scripts get). Prints "@result <metric> <value>" lines.
-- usage: lua5.4 coro_roundtrip.lua [N [wall|cpu]]
local N = math.tointeger(tonumber((...))) or 3000000

-- "wall" (default): Spindle's nmap.clock, else cqueues.monotime when it loads, else os.clock;
-- "cpu": os.clock (the process's CPU time: robust to other load on the machine, blind to time spent off-CPU)
local function pickclock(mode)
  if mode == "cpu" then return os.clock, "os.clock" end
  local ok, m = pcall(require, "nmap")
  if ok and type(m) == "table" and m.clock then return m.clock, "nmap.clock" end
  ok, m = pcall(require, "cqueues")
  if ok and type(m) == "table" and m.monotime then return m.monotime, "cqueues.monotime" end
  return os.clock, "os.clock"
end
local clock, clockname = pickclock(select(2, ...))

local resume, yield = coroutine.resume, coroutine.yield
local co = coroutine.create(function()
  while true do yield() end
end)
resume(co) -- to its first yield

local t0 = clock()
for _ = 1, N do resume(co) end
local t1 = clock()

print("@info clock " .. clockname)
print(("@result coro_rt_ns %.3f"):format((t1 - t0) * 1e9 / N))
