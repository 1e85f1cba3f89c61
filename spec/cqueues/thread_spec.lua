-- cqueues.thread: functions in isolated threads, talking to their starter over a socket pair.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local thread = require "cqueues.thread"
local errno = require "cqueues.errno"
local it, eq, raises = spec.it, spec.eq, spec.raises

it("a thread exchanges lines with its starter and joins cleanly", function()
  local thr, so = thread.start(function(con, greeting, n)
    for line in con:lines("*l") do con:write(greeting, " ", line, " ", math.type(n), "\n") end
  end, "hello", 3)
  eq(thread.type(thr), "thread")
  for i = 1, 3 do
    so:write("line " .. i .. "\n")
    eq(so:read("*l"), "hello line " .. i .. " integer")
  end
  so:close()
  local ok, err = thr:join(10)
  eq(ok, true)
  eq(err, nil)
end)

it("a thread's error comes back from join; join times out with ETIMEDOUT", function()
  local thr, so = thread.start(function(con) con:read("*l"); error("thread failed") end)
  local ok, err = thr:join(0.01)
  eq(ok, false)
  eq(err, errno.ETIMEDOUT)
  so:write("go\n")
  so:flush()
  ok, err = thr:join(10)
  eq(ok, true)
  eq(tostring(err):find("thread failed", 1, true) ~= nil, true)
  so:close()
end)

it("source text runs as the thread's function; a controller can poll the thread", function()
  local thr, so = thread.start("local con = ...; con:write('from source\\n'); con:flush()")
  eq(so:read("*l"), "from source")
  local cq = cqueues.new()
  local got
  cq:wrap(function() got = cqueues.poll(thr, 10) end)
  assert(cq:loop())
  eq(got, thr)
  eq(thr:join(), true)
  so:close()
end)

it("functions with upvalues are refused, naming what", function()
  local x = 1
  raises("cannot copy a function (at argument 3): it has the upvalue 'x'", thread.start, function() return x end)
  raises("cannot copy a thread (at argument 4)", thread.start, function() end, coroutine.create(print))
  eq(thread.self(), nil)
end)

return spec.run()
