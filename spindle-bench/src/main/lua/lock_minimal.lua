-- The floor for an uncontended lock/unlock pair: a minimal mutex of the same shape as nmap.mutex (a closure
-- called as m "lock" / m "done", owner = the running coroutine, FIFO hand-off to waiters), with no
-- scheduler behind it. Also the cost of two calls to a function that does nothing (noop_pair_ns).
-- Portable: plain lua5.4 and Spindle. usage: lua5.4 lock_minimal.lua [N [wall|cpu]]
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

local running, yield = coroutine.running, coroutine.yield

local function newlock()
  local owner
  local waiters, h, t = {}, 1, 0
  return function(op)
    if op == "lock" then
      local co = running()
      if owner == nil then
        owner = co
        return
      end
      t = t + 1
      waiters[t] = co
      repeat yield() until owner == co -- contended path: not exercised here
    elseif op == "done" then
      if owner ~= running() then error("do not have a lock on this mutex", 2) end
      if h <= t then
        owner = waiters[h]
        waiters[h] = nil
        h = h + 1
      else
        owner = nil
      end
    else
      error("invalid option " .. tostring(op), 2)
    end
  end
end

local m = newlock()
local t0 = clock()
for _ = 1, N do
  m "lock"
  m "done"
end
local t1 = clock()

local noop = function(op) end
local t2 = clock()
for _ = 1, N do
  noop "lock"
  noop "done"
end
local t3 = clock()

print("@info clock " .. clockname)
print(("@result minimal_pair_ns %.3f"):format((t1 - t0) * 1e9 / N))
print(("@result noop_pair_ns %.3f"):format((t3 - t2) * 1e9 / N))
