-- The stdnse module's thread part: new_thread, base, sleep.
local S, K = ...
local create, status, getinfo = coroutine.create, coroutine.status, debug.getinfo

local M = {}

-- Starts `main(...)` as a worker of the calling script. It runs once the caller blocks or ends (after the
-- threads already runnable); its return values are discarded. Returns the worker's coroutine and a
-- status function: coroutine.status of the worker, and, once it is dead, the error that ended it or nil.
function M.new_thread(...)
  local main = ...
  if type(main) ~= "function" then
    error(("bad argument #1 to 'stdnse.new_thread' (function expected, got %s)"):format(
      select("#", ...) == 0 and "no value" or type(main)), 2)
  end
  local parent = S.cur
  if not parent then error("stdnse.new_thread can only be run from an active script", 2) end
  local co = create(main)
  local t = S.spawn(co, nil, parent.script, true, select("#", ...) > 1 and table.pack(select(2, ...)) or nil)
  -- where it was started, for reports; the name itself is built only if a report needs it (S.name)
  local info = getinfo(2, "Sl")
  if info and info.currentline > 0 then t.src, t.line = info.short_src, info.currentline
  else t.src, t.line = S.where(coroutine.running()), nil end
  local function status_fn()
    local err = t.err
    if err ~= nil then t.seen = true end
    return status(co), err
  end
  return co, status_fn
end

-- The base coroutine of the calling script thread (a worker's is its own), or nil outside any.
function M.base()
  local t = S.cur
  return t and t.co
end

-- Suspends the calling thread for `secs` seconds (rounded to the millisecond, as NSE does).
function M.sleep(secs)
  if type(secs) ~= "number" then
    error(("bad argument #1 to 'stdnse.sleep' (number expected, got %s)"):format(type(secs)), 2)
  end
  if secs < 0 then error(("argument to sleep (%f) must not be negative"):format(secs), 2) end
  if secs ~= secs then error("bad argument #1 to 'stdnse.sleep' (number expected, got nan)", 2) end
  local ms = math.floor(secs * 1000 + 0.5)
  S.timer(ms, S.ticket())
  S.block(("stdnse.sleep(%g)"):format(secs))
end

return M
