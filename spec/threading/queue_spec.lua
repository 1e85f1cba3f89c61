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
