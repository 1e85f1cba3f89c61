-- The floor of the design: the same condition-variable ping-pong as handoff_spindle.lua on the smallest
-- Lua-level scheduler that can run it (a FIFO run queue of coroutines, a condvar = a FIFO of coroutines; no
-- thread records, tickets, states, destructors, deadlock reports or multilevel yields). Every hand-off is a
-- yield to the scheduler loop and a resume of the next coroutine, like Spindle's.
-- Plain lua5.4 only. usage: lua5.4 handoff_minsched.lua [N [wall|cpu]]  (2N hand-offs)
local N = math.tointeger(tonumber((...))) or 400000
local clock = os.clock
if select(2, ...) ~= "cpu" then
  local ok, cq = pcall(require, "cqueues")
  if ok then clock = cq.monotime end
end

local create, resume, yield, running = coroutine.create, coroutine.resume, coroutine.yield, coroutine.running
local rq, head, tail = {}, 1, 0
local function push(co)
  tail = tail + 1
  rq[tail] = co
end

local function newcv()
  local q, h, t = {}, 1, 0
  return function(op)
    if op == "wait" then
      t = t + 1
      q[t] = running()
      return yield()
    elseif op == "signal" then
      if h <= t then
        local co = q[h]
        q[h] = nil
        if h == t then h, t = 1, 0 else h = h + 1 end
        push(co)
      end
    end
  end
end

local turn = "A"
local cv = { A = newcv(), B = newcv() }
local function play(me, other)
  local mycv, othercv = cv[me], cv[other]
  for _ = 1, N do
    while turn ~= me do mycv "wait" end
    turn = other
    othercv "signal"
  end
end

local t0 = clock()
push(create(function() play("A", "B") end))
push(create(function() play("B", "A") end))
while head <= tail do
  local co = rq[head]
  rq[head] = nil
  if head == tail then head, tail = 1, 0 else head = head + 1 end
  assert(resume(co))
end
local t1 = clock()

print(("@result handoff_ns %.3f"):format((t1 - t0) * 1e9 / (2 * N)))
