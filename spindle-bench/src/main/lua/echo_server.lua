-- Line echo server for the echo benchmark (spindle-bench/echo.sh): plain cqueues code, run unchanged by
-- lua5.4 with lua-cqueues and by `spindle run`.
--
--   echo_server.lua [HOST [PORT [OPTION...]]]     HOST defaults to 127.0.0.1, PORT to 0 (any free port)
--
-- Options:
--   reuseport    listen with SO_REUSEPORT, so that several processes can share the port (the harness's
--                two-process variant: the first takes port 0, the second is given the port the first printed)
--   reactors=N   N reactors in this process: the main one plus N - 1 started with cqueues.thread, each with its
--                own controller and its own SO_REUSEPORT listener on the same port (the two-reactors-in-one-
--                process variant; implies reuseport)
--
-- Prints "listening HOST PORT" (the bound port) as its first line, then echoes every line it reads on a
-- connection until the peer closes it. cqueues' text mode writes "\n" as "\r\n"; the load generator takes both.
-- Under Spindle, reactors=N needs cqueues.thread; until that exists the harness runs two processes instead.

local cqueues = require "cqueues"
local socket = require "cqueues.socket"

local host, port = arg[1] or "127.0.0.1", math.tointeger(tonumber(arg[2] or "0"))
local reuseport, reactors, quiet = false, 1, false
for i = 3, #arg do
  local opt = arg[i]
  if opt == "reuseport" then
    reuseport = true
  elseif opt:match "^reactors=%d+$" then
    reactors, reuseport = tonumber(opt:match "%d+"), true
  elseif opt == "quiet" then -- a reactor started by reactors=N: the main one has printed the port already
    quiet = true
  else
    error("echo_server.lua: unknown option " .. opt .. " (reuseport, reactors=N)")
  end
end
assert(port, "echo_server.lua: PORT must be an integer")

local function echo(con)
  for line in con:lines("*l") do
    con:write(line, "\n") -- output is line-buffered by default (mode "tla"): this sends the line
  end
  con:close()
end

local cq = cqueues.new()
local srv = socket.listen { host = host, port = port, reuseport = reuseport }
assert(srv:listen())
local _, bound_host, bound_port = srv:localname()
if not quiet then
  print("listening", bound_host, bound_port)
  io.stdout:flush()
end

-- The other reactors: each a thread with its own Lua state that runs this same script on the bound port.
local threads = {}
for _ = 2, reactors do
  threads[#threads + 1] = assert(require("cqueues.thread").start(function(_, script, h, p)
    arg = { [0] = script, h, p, "reuseport", "quiet" }
    assert(loadfile(script))(h, p, "reuseport", "quiet")
  end, arg[0], bound_host, tostring(bound_port)))
end

cq:wrap(function()
  for con in srv:clients() do
    cq:wrap(echo, con)
  end
end)

-- A client that resets its connection raises an error in its coroutine; report it and keep serving the others.
while true do
  local ok, err = cq:loop()
  if ok then break end
  io.stderr:write("echo_server.lua: ", tostring(err), "\n")
end
