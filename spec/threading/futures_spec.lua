-- concurrent.futures: ThreadPoolExecutor over script threads, futures, wait and as_completed.
local spec = require "spindle.spec"
local futures = require "concurrent.futures"
local stdnse = require "stdnse"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same

it("submit returns futures; at most max_workers run at once", function()
  local pool = futures.ThreadPoolExecutor { max_workers = 2 }
  local inside, most = 0, 0
  local fs = {}
  for i = 1, 6 do
    fs[i] = pool:submit(function(x)
      inside = inside + 1
      most = math.max(most, inside)
      stdnse.sleep(0.005)
      inside = inside - 1
      return x * 10, "x"
    end, i)
  end
  local a, b = fs[3]:result()
  eq(a, 30)
  eq(b, "x")
  pool:shutdown()
  eq(most, 2)
  for i = 1, 6 do eq(fs[i]:done(), true) end
  raises("cannot schedule new futures after shutdown", pool.submit, pool, print)
end)

it("a worker's error is re-raised by result and returned by exception", function()
  local pool = futures.ThreadPoolExecutor { max_workers = 1 }
  local e = { code = 1 }
  local f = pool:submit(function() error(e) end)
  local ok, err = pcall(f.result, f)
  eq(ok, false)
  eq(err, e)
  eq(f:exception(), e)
  pool:shutdown()
end)

it("result with a timeout raises TimeoutError; cancel stops a call that has not started", function()
  local pool = futures.ThreadPoolExecutor { max_workers = 1 }
  local slow = pool:submit(stdnse.sleep, 0.05)
  local queued = pool:submit(function() return "ran" end)
  local ok, err = pcall(slow.result, slow, 0.001)
  eq(err, futures.TimeoutError)
  eq(queued:cancel(), true)
  ok, err = pcall(queued.result, queued)
  eq(err, futures.CancelledError)
  pool:shutdown()
  eq(slow:cancel(), false)
end)

it("map keeps input order; wait and as_completed", function()
  local pool = futures.ThreadPoolExecutor { max_workers = 3 }
  local out = {}
  for v in pool:map(function(x) stdnse.sleep(0.001 * (4 - x)); return x * x end, { 1, 2, 3 }) do out[#out + 1] = v end
  same(out, { 1, 4, 9 })
  local fs = {}
  for i = 1, 3 do fs[i] = pool:submit(function() stdnse.sleep(0.01 * i); return i end) end
  local done, pending = futures.wait(fs, nil, futures.FIRST_COMPLETED)
  eq(#done >= 1, true)
  eq(#done + #pending, 3)
  local order = {}
  for f in futures.as_completed(fs) do order[#order + 1] = f:result() end
  same(order, { 1, 2, 3 })
  done, pending = futures.wait(fs)
  eq(#done, 3)
  eq(#pending, 0)
  local called
  fs[1]:add_done_callback(function(f) called = f end)
  eq(called, fs[1])
  pool:shutdown()
end)

it("ProcessPoolExecutor: calls run in isolated threads, results and errors are copied back", function()
  local pool = futures.ProcessPoolExecutor { max_workers = 2 }
  local fs = {}
  for i = 1, 6 do
    fs[i] = pool:submit(function(n)
      local t = { n = n, squares = {} }
      for k = 1, n do t.squares[k] = k * k end
      return t, math.type(n)
    end, i)
  end
  local t, ty = fs[4]:result(10)
  eq(t.squares[4], 16)
  eq(ty, "integer")
  local bad = pool:submit(function() error({ why = "no" }) end)
  local ok, err = pcall(bad.result, bad, 10)
  eq(ok, false)
  eq(err.why, "no")
  local total = 0
  for v in pool:map(function(x) return x + 1 end, { 1, 2, 3 }, 10) do total = total + v end
  eq(total, 9)
  pool:shutdown()
  for i = 1, 6 do eq(fs[i]:done(), true) end
end)

it("ProcessPoolExecutor refuses what cannot be copied, naming it", function()
  local pool = futures.ProcessPoolExecutor { max_workers = 1 }
  local up = 1
  raises("cannot copy a function (at item 1.fn): it has the upvalue 'up'", pool.submit, pool, function() return up end)
  raises("cannot copy a thread (at item 1.args[1])", pool.submit, pool, function() end, coroutine.create(print))
  pool:shutdown()
end)

it("a queue shared by a ProcessPoolExecutor's workers and the main script", function()
  local queue = require "queue"
  local q = queue.Queue(8)
  local pool = futures.ProcessPoolExecutor { max_workers = 2 }
  local fs = {}
  for w = 1, 2 do
    fs[w] = pool:submit(function(q, w)
      for i = 1, 50 do q:put(w * 1000 + i) end
      return "done " .. w
    end, q, w)
  end
  local seen, last = 0, {}
  for _ = 1, 100 do
    local v = q:get(true, 10)
    local w, i = v // 1000, v % 1000
    eq(i > (last[w] or 0), true, "per-producer order")
    last[w] = i
    seen = seen + 1
  end
  eq(seen, 100)
  eq(fs[1]:result(10), "done 1")
  eq(fs[2]:result(10), "done 2")
  pool:shutdown()
end)

return spec.run()
