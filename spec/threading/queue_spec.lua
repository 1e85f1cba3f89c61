-- queue: bounded queues between script threads, Full and Empty, LIFO and priority, task_done and join.
local spec = require "spindle.spec"
local queue = require "queue"
local threading = require "threading"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

it("producer/consumer through a bounded queue, stopped by an event: nothing lost, order kept", function()
  local q = queue.Queue(4)
  local stop = threading.Event()
  local got = {}
  local consumer = threading.Thread { target = function()
    while true do
      local ok, item = pcall(q.get, q, true, 0.01)
      if ok then got[#got + 1] = item; q:task_done()
      elseif stop:is_set() then return end
    end
  end }
  consumer:start()
  for i = 1, 200 do q:put(i) end
  q:join()
  stop:set()
  consumer:join()
  eq(#got, 200)
  for i = 1, 200 do eq(got[i], i) end
end)

it("Full and Empty, with and without timeouts, compare with ==", function()
  local q = queue.Queue(1)
  q:put_nowait("a")
  eq(q:full(), true)
  local ok, err = pcall(q.put_nowait, q, "b")
  eq(ok, false)
  eq(err, queue.Full)
  ok, err = pcall(q.put, q, "b", true, 0.01)
  eq(err, queue.Full)
  eq(q:get(), "a")
  ok, err = pcall(q.get_nowait, q)
  eq(err, queue.Empty)
  ok, err = pcall(q.get, q, true, 0.01)
  eq(err, queue.Empty)
  eq(q:empty(), true)
  eq(q:qsize(), 0)
end)

it("LifoQueue and PriorityQueue order", function()
  local l = queue.LifoQueue()
  for i = 1, 3 do l:put(i) end
  same({ l:get(), l:get(), l:get() }, { 3, 2, 1 })
  local p = queue.PriorityQueue()
  for _, v in ipairs { 5, 1, 4, 2, 3 } do p:put({ v, "job " .. v }) end
  local order = {}
  for i = 1, 5 do order[i] = p:get()[2] end
  same(order, { "job 1", "job 2", "job 3", "job 4", "job 5" })
  for _, v in ipairs { 3.5, 1, -2.0, 2 } do p:put(v) end
  local a, b, c, d = p:get(), p:get(), p:get(), p:get()
  same({ a, b, c, d }, { -2.0, 1, 2, 3.5 })
  same({ math.type(a), math.type(b), math.type(c), math.type(d) }, { "float", "integer", "integer", "float" })
end)

it("items cross by copy: nested tables and cycles survive; a coroutine is refused with its path", function()
  local q = queue.Queue()
  local t = { a = { b = { 1, 2 } } }
  t.self = t
  q:put(t)
  local u = q:get()
  eq(u.a.b[2], 2)
  eq(u.self, u)
  raises("cannot copy a thread (at item 1.co)", q.put, q, { co = coroutine.create(print) })
end)

-- The values a queue usually carries (numbers and strings) take a short path through the copy and the host
-- call; what comes out must be exactly what went in: integer or float, -0.0, NaN, empty and long strings.
local scalars = { 0, -7, math.maxinteger, math.mininteger, 0.0, -0.0, 2.5, 1e300, math.huge, 0 / 0, "", "x",
  ("s"):rep(300), "nul\0inside", ("L"):rep(70000) }

local function same_scalar(a, b)
  if a ~= a then return b ~= b end
  return a == b and math.type(a) == math.type(b) and (a ~= 0 or 1 / a == 1 / b)
end

it("numbers and strings come out exactly as they went in, blocking and not", function()
  local q = queue.Queue()
  for _, v in ipairs(scalars) do q:put(v) end
  for _, v in ipairs(scalars) do q:put_nowait(v) end
  for round = 1, 2 do
    for i, v in ipairs(scalars) do
      local got = round == 1 and q:get() or q:get_nowait()
      eq(same_scalar(v, got), true, ("item %d (%s) came out as %s"):format(i, tostring(v), tostring(got)))
    end
  end
end)

it("numbers and strings cross to another state and back unchanged", function()
  local futures = require "concurrent.futures"
  local to, from = queue.Queue(2), queue.Queue(2) -- small: both sides block on the way
  local pool = futures.ProcessPoolExecutor { max_workers = 1 }
  local f = pool:submit(function(to, from, n)
    for _ = 1, n do from:put(to:get()) end
    return n
  end, to, from, #scalars)
  threading.Thread { target = function() for _, v in ipairs(scalars) do to:put(v) end end }:start()
  local got = {}
  for i = 1, #scalars do got[i] = from:get(true, 10) end
  eq(f:result(10), #scalars)
  pool:shutdown() -- before checking, so that a failed check does not leave the worker waiting
  for i, v in ipairs(scalars) do
    eq(same_scalar(v, got[i]), true, ("item %d (%s) came back as %s"):format(i, tostring(v), tostring(got[i])))
  end
end)

it("put_many and get_many: the order and values of as many put and get calls; n counts nil items", function()
  local q = queue.Queue()
  q:put_many { 1, "two", { 3 }, 4.0 }
  q:put(nil)
  q:put_many {}
  local t = q:get_many(10)
  eq(t.n, 5)
  eq(t[1], 1)
  eq(t[2], "two")
  eq(t[3][1], 3)
  eq(math.type(t[4]), "float")
  eq(t[5], nil)
  q:put_many { 1, 2, 3 }
  eq(q:get(), 1)
  same(q:get_many(1), { 2 })
  q:put(4)
  same(q:get_many(5), { 3, 4 })
  eq(q:empty(), true)
end)

it("get_many waits for the first item, raises Empty as get does; bad arguments are named", function()
  local q = queue.Queue()
  local ok, err = pcall(q.get_many, q, 5, false)
  eq(err, queue.Empty)
  ok, err = pcall(q.get_many, q, 5, true, 0.01)
  eq(err, queue.Empty)
  threading.Thread { target = function() q:put(nil) end }:start()
  local t = q:get_many(3, true, 10)
  eq(t.n, 1)
  eq(t[1], nil)
  raises("bad argument #1 to 'get_many' (positive integer expected, got 0)", q.get_many, q, 0)
  raises("bad argument #3 to 'queue.get_many'", q.get_many, q, 1, true, "soon")
  raises("bad argument #1 to 'put_many' (table expected, got string)", q.put_many, q, "x")
  raises("cannot copy a thread (at item 1)", q.put_many, q, { 1, 2, coroutine.create(print) })
  eq(q:qsize(), 0, "nothing is put when one item cannot be copied")
end)

it("put_many waits while the queue is full; a PriorityQueue orders its items; join counts every item", function()
  local q = queue.Queue(3)
  local list = {}
  for i = 1, 50 do list[i] = i end
  threading.Thread { target = function() q:put_many(list) end }:start()
  local got, most = {}, 0
  while #got < 50 do
    local t = q:get_many(4)
    most = math.max(most, t.n)
    for i = 1, t.n do got[#got + 1] = t[i]; q:task_done() end
  end
  same(got, list)
  eq(most <= 4, true)
  q:join()
  local p = queue.PriorityQueue()
  p:put_many { 5, 1, 3, 2.5 }
  same(p:get_many(4), { 1, 2.5, 3, 5 })
  local l = queue.LifoQueue()
  l:put_many { 1, 2, 3 }
  same(l:get_many(3), { 3, 2, 1 })
  local small = queue.PriorityQueue(2) -- full: put_many waits, item by item with its priority
  threading.Thread { target = function() small:put_many { 5, 1, 3, 2.5 } end }:start()
  local n = 0
  while n < 4 do n = n + small:get_many(4).n end
  eq(small:empty(), true)
end)

it("put_many and get_many between two states, through a small queue", function()
  local futures = require "concurrent.futures"
  local q = queue.Queue(16)
  local pool = futures.ProcessPoolExecutor { max_workers = 1 }
  local f = pool:submit(function(q, n)
    local chunk = {}
    for i = 1, n, 7 do
      for j = 1, 7 do chunk[j] = i + j - 1 <= n and (i + j - 1) * 1.5 or nil end
      q:put_many(chunk)
    end
    q:put_many { "end", { done = true } }
    return n
  end, q, 1000)
  local got = {}
  repeat
    local t = q:get_many(64, true, 10)
    for i = 1, t.n do got[#got + 1] = t[i] end
  until type(got[#got]) == "table"
  eq(f:result(10), 1000)
  pool:shutdown()
  eq(#got, 1002)
  for i = 1, 1000 do eq(got[i], i * 1.5) end
  eq(got[1001], "end")
  eq(got[1002].done, true)
end)

it("task_done too many times raises; join returns once all are done", function()
  local q = queue.Queue()
  raises("task_done() called too many times", q.task_done, q)
  q:put(1)
  q:put(2)
  threading.Thread { target = function() q:get(); q:task_done(); q:get(); q:task_done() end }:start()
  q:join()
  eq(q:qsize(), 0)
end)

it("a Lock and a Queue cross into a queue as themselves", function()
  local q = queue.Queue()
  local lock = threading.Lock()
  q:put({ lock = lock, q = q })
  local got = q:get()
  lock:acquire()
  eq(got.lock:locked(), true)
  lock:release()
  got.q:put("via the copy")
  eq(q:get(), "via the copy")
end)

return spec.run()
