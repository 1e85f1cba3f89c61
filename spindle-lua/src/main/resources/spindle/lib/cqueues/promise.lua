-- cqueues.promise: a value that will be set once, on a condition variable.
local cqueues = require "cqueues"
local condition = require "cqueues.condition"
local pack, unpack = table.pack, table.unpack

local Promise = { __name = "promise" }
Promise.__index = Promise

local M = {}

-- A pending promise; with `f`, runs f(...) in the running controller and settles with its outcome.
function M.new(f, ...)
  local self = setmetatable({ state = "pending", pollfd = condition.new() }, Promise)
  if f ~= nil then
    local cq = cqueues.running()
    if not cq then error("promise.new: a function needs a running controller to run in", 2) end
    cq:wrap(function(...) self:set(pcall(f, ...)) end, ...)
  end
  return self
end

function Promise:set(ok, ...)
  if self.state ~= "pending" then error("attempt to set value of resolved promise", 2) end
  if ok then
    self.state, self.values = "fulfilled", pack(...)
  else
    self.state, self.reason = "rejected", (...)
  end
  self.timeout = 0 -- a settled promise polls ready at once
  self.pollfd:signal()
end

-- Returns self once settled, nil if `timeout` seconds passed first.
function Promise:wait(timeout)
  local deadline = timeout and cqueues.monotime() + timeout
  while self.state == "pending" do
    local left = deadline and deadline - cqueues.monotime()
    if left and left <= 0 then return nil end
    cqueues.poll(self.pollfd, left)
  end
  return self
end

-- The values when fulfilled; raises the reason when rejected; nothing if still pending after `timeout`.
function Promise:get(timeout)
  if not self:wait(timeout) then return end
  if self.state == "rejected" then error(self.reason, 2) end
  return unpack(self.values, 1, self.values.n)
end

function Promise:status()
  return self.state
end

Promise.__call = Promise.get

function Promise:__tostring()
  return tostring(self:get())
end

function M.type(x)
  if getmetatable(x) == Promise then return "promise" end
  return nil
end

return M
