-- The script module: background scripts (each an isolated thread: its own reactor and Lua state) and
-- facts about the running script.
local S, K, copy = ...

local M = {}

local function checkhandle(fname, h)
  if math.type(h) ~= "integer" or h < 1 then
    error(("bad argument #1 to 'script.%s' (script handle expected, got %s)"):format(fname,
      math.type(h) and tostring(h) or type(h)), 3)
  end
end

-- Starts the script file `path` in the background with copies of `...`; returns its handle.
function M.run_background(path, ...)
  if type(path) ~= "string" then
    error(("bad argument #1 to 'script.run_background' (string expected, got %s)"):format(type(path)), 2)
  end
  local ok, bytes = pcall(copy.encode, "argument", select("#", ...), ...)
  if not ok then error("script.run_background: " .. bytes, 2) end
  local h, err = K.script_start(path, bytes)
  if not h then error("script.run_background: " .. err, 2) end
  return h
end

-- Waits until the script has ended (true) or `timeout_ms` passed (false).
function M.wait(handle, timeout_ms)
  checkhandle("wait", handle)
  if timeout_ms ~= nil and (type(timeout_ms) ~= "number" or timeout_ms < 0) then
    error(("bad argument #2 to 'script.wait' (non-negative number expected, got %s)"):format(
      type(timeout_ms) == "number" and tostring(timeout_ms) or type(timeout_ms)), 2)
  end
  local done, id = K.script_wait(handle, timeout_ms and math.floor(timeout_ms) or -1)
  if done == nil then error("script.wait: " .. id, 2) end
  if done then return true end
  S.expect(id, S.ticket())
  return (S.block(("script.wait(%d)"):format(handle)))
end

-- "running", "done" or "failed" and, when failed, the error that ended it (reading it counts as
-- having seen it: it is then not reported at exit).
function M.status(handle)
  checkhandle("status", handle)
  local st, err = K.script_status(handle)
  if st == nil then error("script.status: " .. err, 2) end
  return st, err
end

function M.handle() return K.script_info("handle") end
function M.in_background() return K.script_info("background") end
function M.folder() return K.script_info("folder") end
function M.elapsed() return K.script_info("elapsed") end

-- Registers `fn` to run when the script ends with an error or is stopped (newest first).
function M.on_unwind(fn)
  if type(fn) ~= "function" then
    error(("bad argument #1 to 'script.on_unwind' (function expected, got %s)"):format(type(fn)), 2)
  end
  S.on_unwind(fn)
end

return M
