-- cqueues.notify on the JDK's WatchService (dev.spindle.kernel.fs, docs/signals.md): a notifier watches
-- chosen files of one directory; get() returns what changed and the file's name, or "." for the directory.
-- All notifiers of a runtime share one watcher thread; a notifier closes with close(), __gc, or its state.
local S, K = ...
require "cqueues" -- installs S.take and S.awaitable
local errno = require "cqueues.errno"
local type, tostring, tointeger, tonumber = type, tostring, math.tointeger, tonumber

local M = {
  CREATE = 0x01, ATTRIB = 0x02, MODIFY = 0x04, REVOKE = 0x08, DELETE = 0x10, ALL = 0x1f,
  INOTIFY = 0x010000, FEN = 0x020000, KQUEUE = 0x040000, KQUEUE1 = 0x080000, OPENAT = 0x100000,
  FDOPENDIR = 0x200000, O_CLOEXEC = 0x400000, IN_CLOEXEC = 0x800000,
  FEATURES = 0, -- none of cqueues' backends: the JDK's (inotify on Linux)
}
local flagnames = {}
for name, bit in pairs(M) do
  if name ~= "FEATURES" then flagnames[bit] = name end
end
for bit, name in pairs(flagnames) do M[bit] = name end

local Notifier = { __name = "file notifier" }
Notifier.__index = Notifier

local new, live = S.awaitableclass(M, Notifier, "file notifier")

-- A notifier of directory `path`, or nil and an errno. (cqueues ignores a second argument too.)
function M.opendir(path)
  if type(path) ~= "string" then
    error(("bad argument #1 to 'opendir' (string expected, got %s)"):format(type(path)), 2)
  end
  local h, code = K.nfy_open(path)
  if not h then return nil, code end
  return new(h)
end

-- Watches file `name` of the directory for the changes in `flags` (default ALL).
function Notifier:add(name, flags)
  live(self, "add")
  if type(name) ~= "string" then
    error(("bad argument #1 to 'add' (string expected, got %s)"):format(type(name)), 2)
  end
  local f = M.ALL
  if flags ~= nil then
    f = tointeger(tonumber(flags))
    if not f then error(("bad argument #2 to 'add' (integer expected, got %s)"):format(type(flags)), 2) end
  end
  local code = K.nfy_add(self.h, name, f)
  if code ~= 0 then error(("notify.add: %s"):format(errno.strerror(code)), 2) end
  return true
end

-- The changes of one file and its name ("." for the directory itself), waiting up to `timeout` seconds
-- (none: no limit) for some; nil on timeout.
function Notifier:get(timeout)
  live(self, "get")
  local changes, name = S.take(self, K.nfy_get, S.checktimeout("get", 1, timeout), "a file notifier")
  if changes == nil then return nil end
  return changes, name
end

-- Iterator over get(timeout): ends at the first timeout.
function Notifier:changes(timeout)
  live(self, "changes")
  S.checktimeout("changes", 1, timeout)
  return function() return self:get(timeout) end
end

-- cqueues reads the kernel's queue here; Spindle's events arrive on their own.
function Notifier:step()
  live(self, "step")
  return true
end

local strnames = { [0x01] = "CREATE", [0x02] = "ATTRIB", [0x04] = "MODIFY", [0x08] = "REVOKE", [0x10] = "DELETE",
  [0x010000] = "inotify", [0x020000] = "FEN", [0x040000] = "kqueue", [0x080000] = "kqueue1",
  [0x100000] = "openat", [0x200000] = "fdopendir", [0x400000] = "O_CLOEXEC", [0x800000] = "IN_CLOEXEC" }
S.flagfunctions(M, strnames)

return M
