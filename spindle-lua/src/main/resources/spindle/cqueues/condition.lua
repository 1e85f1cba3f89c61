-- cqueues.condition: condition variables for the coroutines of one Lua state.
--
-- A waiter is (record, ticket, index in its poll): a wakeup for a wait that already ended some other way
-- carries a stale ticket, fails, and does not count, so a signal is never lost to a waiter that left.
local S = ...
require "cqueues" -- installs S.poll and S.pollable
local poll, pack, unpack = S.poll, table.pack, table.unpack

local Condition = { __name = "condition" }
Condition.__index = Condition

local function check(self, fn)
  if getmetatable(self) ~= Condition then
    error(("bad argument #1 to '%s' (condition expected, got %s)"):format(fn, type(self)), 3)
  end
end

-- Wakes up to `n` waiters (all when n is nil), oldest first or newest first (lifo); returns how many.
function Condition:signal(n)
  check(self, "signal")
  if n ~= nil and math.type(n) == nil then
    error(("bad argument #1 to 'signal' (number expected, got %s)"):format(type(n)), 2)
  end
  n = n or math.huge
  local ws, woken = self.waiters, 0
  while woken < n and ws[1] do
    local w = table.remove(ws, self.lifo and #ws or 1)
    if S.wake(w[1], w[2], w[3]) then woken = woken + 1 end
  end
  return woken
end

-- Waits for a signal, or for any of the other objects (a number is a timeout). Returns true and the
-- other ready objects when signalled, else false and the ready objects.
function Condition:wait(...)
  check(self, "wait")
  if select("#", ...) == 0 then -- the common case, without the general poll: only a signal ends it
    local ws = self.waiters
    ws[#ws + 1] = { S.cur, S.ticket(), 1 }
    S.block("a cqueues condition")
    return true
  end
  local r = pack(poll(self, ...))
  if r[1] == self then return true, unpack(r, 2, r.n) end
  return false, unpack(r, 1, r.n)
end

function Condition:pollfd()
  return self
end
Condition.__call = Condition.pollfd

function Condition:events() end

function Condition:timeout() end

function Condition:__gc()
  self:signal()
end

local arm, disarm = S.waitlist("waiters")
S.pollable[Condition] = {
  ready = function() return false end,
  arm = arm,
  disarm = disarm,
  timeout = function() return nil end,
  cancel = function(o) o:signal() end,
}

local M = {}

function M.new(lifo)
  return setmetatable({ waiters = {}, lifo = lifo and true or false }, Condition)
end

function M.type(x)
  if getmetatable(x) == Condition then return "condition" end
  return nil
end

M.interpose = S.interposer(Condition)

return M
