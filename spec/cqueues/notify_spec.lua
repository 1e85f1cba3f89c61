-- cqueues.notify: file change notifications for chosen files of a directory, through the JDK WatchService.
-- Events come from inotify on Linux within milliseconds; each wait allows 5 s, so a slow machine passes
-- and a normal run stays fast.
local spec = require "spindle.spec"
local cqueues = require "cqueues"
local notify = require "cqueues.notify"
local errno = require "cqueues.errno"
local it, eq, raises, same = spec.it, spec.eq, spec.raises, spec.same
local EVENT = 5 -- seconds to wait for an event that must come

-- A case body run as fn(nfy, path, dir) with a notifier of a fresh empty directory `dir`; path(name) is
-- the path of a file there, removed afterwards. Cleans up whether fn fails or not.
local function watching(fn)
  return function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local made = {}
    local function path(name)
      made[#made + 1] = dir .. "/" .. name
      return made[#made]
    end
    local nfy = assert(notify.opendir(dir))
    local ok, err = xpcall(fn, debug.traceback, nfy, path, dir)
    nfy:close()
    for _, f in ipairs(made) do os.remove(f) end
    os.remove(dir)
    if not ok then error(err, 0) end
  end
end

local function write(path, text, mode)
  local f = assert(io.open(path, mode or "w"))
  f:write(text)
  f:close()
end

-- The next change of `name`, skipping those of the directory (".") and other files.
local function next_of(nfy, name)
  while true do
    local changes, file = nfy:get(EVENT)
    if changes == nil or file == name then return changes, file end
  end
end

it("a file created in a watched directory is reported with CREATE and its name", watching(function(nfy, path)
  eq(nfy:add("a.txt"), true)
  write(path("a.txt"), "hello")
  local changes, name = next_of(nfy, "a.txt")
  eq(name, "a.txt")
  assert(changes & notify.CREATE ~= 0, "changes " .. tostring(changes))
end))

it("a write to a watched file is reported as MODIFY", watching(function(nfy, path)
  write(path("log"), "one\n")
  nfy:add("log", notify.MODIFY)
  write(path("log"), "two\n", "a")
  local changes, name = next_of(nfy, "log")
  eq(name, "log")
  eq(changes, notify.MODIFY)
end))

it("get with a timeout returns nil when nothing changes, after the timeout", watching(function(nfy)
  nfy:add("never")
  local t0 = cqueues.monotime()
  eq(nfy:get(0.05), nil)
  assert(cqueues.monotime() - t0 >= 0.05, "get(0.05) returned early")
  eq(nfy:get(0), nil)
end))

it("a notifier is polled from a controller, and get then has the change", watching(function(nfy, path)
  local cq = cqueues.new()
  nfy:add("polled")
  local r = {}
  cq:wrap(function()
    r.idle = cqueues.poll(nfy, 0.01)
    r.ready = cqueues.poll(nfy, EVENT)
    r.changes, r.name = next_of(nfy, "polled")
  end)
  cq:wrap(function()
    cqueues.sleep(0.03)
    write(path("polled"), "x")
  end)
  assert(cq:loop())
  eq(r.idle, 0.01)
  eq(r.ready, nfy)
  eq(r.name, "polled")
  assert(r.changes & notify.CREATE ~= 0)
end))

it("entries not added show as changes of the directory, '.'; changes() iterates until a timeout",
  watching(function(nfy, path)
    write(path("other"), "x")
    local changes, name = nfy:get(EVENT)
    eq(name, ".")
    eq(changes, notify.CREATE)
    os.remove(path("other"))
    local seen = {}
    for c, n in nfy:changes(0.2) do seen[#seen + 1] = n .. ":" .. table.concat({ notify.strflag(c) }, "|") end
    same(seen, { ".:DELETE" })
  end))

it("the pollable trio, flags both ways, strflag, flags and type", watching(function(nfy, path, dir)
  eq(math.type(nfy:pollfd()), "integer")
  eq(nfy:events(), "r")
  eq(nfy:timeout(), nil)
  nfy:add("t")
  write(path("t"), "x")
  eq(cqueues.poll(nfy, EVENT), nfy)
  eq(nfy:timeout(), 0)
  eq(notify.CREATE, 1)
  eq(notify[1], "CREATE")
  eq(notify[notify.DELETE], "DELETE")
  eq(notify.ALL, 31)
  eq(notify[31], "ALL")
  same({ notify.strflag(notify.CREATE | notify.MODIFY) }, { "CREATE", "MODIFY" })
  local bits = {}
  for f in notify.flags(notify.ALL) do bits[#bits + 1] = f end
  same(bits, { 1, 2, 4, 8, 16 })
  eq(notify.type(nfy), "file notifier")
  eq(notify.type(dir), nil)
end))

it("opendir reports a missing directory or a file as nil and an errno; bad arguments name the function",
  watching(function(nfy, path, dir)
    local none, code = notify.opendir(dir .. "/missing")
    eq(none, nil)
    eq(code, errno.ENOENT)
    write(path("plain"), "x")
    none, code = notify.opendir(path("plain"))
    eq(none, nil)
    eq(code, errno.ENOTDIR)
    raises("bad argument #1 to 'opendir' (string expected, got number)", notify.opendir, 1)
    raises("notify.add: Is a directory", nfy.add, nfy, "a/b")
    raises("bad argument #1 to 'add' (string expected, got nil)", nfy.add, nfy)
    raises("bad argument #2 to 'add' (integer expected, got string)", nfy.add, nfy, "x", "all")
    raises("bad argument #1 to 'get' (number expected, got string)", nfy.get, nfy, "soon")
    raises("bad argument #1 to 'get' (file notifier expected, got table)", nfy.get, {})
    local other = assert(notify.opendir(dir))
    other:close()
    raises("bad argument #1 to 'get' (file notifier closed)", other.get, other)
  end))

return spec.run()
