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
