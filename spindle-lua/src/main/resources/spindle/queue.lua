-- queue: Python's Queue, LifoQueue and PriorityQueue over one thread-safe Java queue. Items cross by copy
-- (spindle/copy.lua): a table put in comes out as an equal table, in this state or in any other; objects
-- over thread-safe primitives come out as themselves; a number crosses as itself, without encoding. Failures raise queue.Full and queue.Empty, which
-- compare with == after pcall.
local S, K, P = ...

local M = {}

M.Full = P.exception("queue", "Full")
M.Empty = P.exception("queue", "Empty")

local Queue = P.class("queue.Queue", "SharedQueue")

-- The priority of an item: a number or a string, or the first element of a table ({priority, data}).
local function key(item)
  local k = item
  if type(item) == "table" then k = item[1] end
  if type(k) == "number" or type(k) == "string" then return k end
  return nil
end

local function make(fn, order, maxsize)
  maxsize = maxsize or 0
  if math.type(maxsize) ~= "integer" then
    error(("bad argument #1 to '%s' (integer maxsize expected, got %s)"):format(fn, type(maxsize)), 3)
  end
  local q = P.new(Queue, "queue", order, maxsize)
  rawset(q, "maxsize", maxsize)
  rawset(q, "priority", order == "priority")
  return q
end

function M.Queue(maxsize) return make("Queue", "fifo", maxsize) end
function M.LifoQueue(maxsize) return make("LifoQueue", "lifo", maxsize) end
function M.PriorityQueue(maxsize) return make("PriorityQueue", "priority", maxsize) end

-- put(item[, block[, timeout]]): raises queue.Full when it cannot put (at once, or within timeout).
function Queue:put(item, block, timeout)
  local v = type(item) == "number" and item or P.encode("item", item) -- a number goes as itself
  local k = self.priority and key(item) or nil
  if block == false then
    if not P.now(self, "put", v, k) then error(M.Full, 2) end
    return
  end
  timeout = P.timeout("queue.put", timeout, 3)
  if not P.wait("queue.put", self, "put", timeout, v, k) then error(M.Full, 2) end
end

-- An item as the host hands it over: a number, or the bytes of anything else.
local function decode(v)
  if type(v) == "number" then return v end
  return (P.decode(v))
end

-- get([block[, timeout]]): the next item; raises queue.Empty when there is none (at once, or in time).
function Queue:get(block, timeout)
  if block == false then
    local v = P.now(self, "get")
    if v == nil then error(M.Empty, 2) end
    return decode(v)
  end
  timeout = P.timeout("queue.get", timeout, 2)
  local ok, v = P.wait("queue.get", self, "get", timeout)
  if not ok then error(M.Empty, 2) end
  return decode(v)
end

-- put_many(items): puts items[1..#items] in order, as that many put(item) calls would (waiting while the
-- queue is full), handing over as many as fit with each host call. Every item is copied first: one that
-- cannot be copied raises before any is put.
function Queue:put_many(items)
  if type(items) ~= "table" then
    error(("bad argument #1 to 'put_many' (table expected, got %s)"):format(type(items)), 2)
  end
  local n, vs = #items, {}
  for i = 1, n do
    local item = items[i]
    vs[i] = type(item) == "number" and item or P.encode("item", item)
  end
  local i = 1
  while i <= n do
    if not self.priority then i = i + P.now(self, "put_many", vs, i) end -- a priority item goes with its key
    if i <= n then -- the queue is full (or orders by priority): put the next one as put does
      P.wait("queue.put_many", self, "put", nil, vs[i], self.priority and key(items[i]) or nil)
      i = i + 1
    end
  end
end

-- get_many(max[, block[, timeout]]): a list of 1 to max items, in the order that many get() calls would
-- return them, with its length as field n (an item may be nil). Waits for the first item as get does
-- (raising queue.Empty), then takes as many more as are there, up to max, with one host call.
function Queue:get_many(max, block, timeout)
  if math.type(max) ~= "integer" or max < 1 then
    error(("bad argument #1 to 'get_many' (positive integer expected, got %s)"):format(tostring(max)), 2)
  end
  timeout = P.timeout("queue.get_many", timeout, 3)
  local got, first, item = P.now(self, "get_many", max), 0, nil
  if got == nil then -- nothing there: wait for one item as get does, then take what came meanwhile
    item, first = self:get(block, timeout), 1
    got = max > 1 and P.now(self, "get_many", max - 1) or {}
    table.insert(got, 1, false) -- the first item's slot
  end
  local n = #got -- every slot holds a number, an item's bytes or the first item's placeholder
  if first == 1 then got[1] = item end
  for i = first + 1, n do got[i] = decode(got[i]) end
  got.n = n
  return got
end

function Queue:put_nowait(item) return self:put(item, false) end
function Queue:get_nowait() return self:get(false) end
function Queue:qsize() return P.now(self, "qsize") end
function Queue:empty() return P.now(self, "qsize") == 0 end
function Queue:full() return P.now(self, "full") end
function Queue:task_done() P.now(self, "task_done") end

-- Waits until every item put has been got and marked done with task_done.
function Queue:join()
  P.wait("queue.join", self, "join", nil)
end

return M
