-- The coroutine library as scripts see it: Lua 5.4's, except that a blocking call made inside a
-- script's own coroutine suspends the whole script thread and comes back down (multilevel yield).
--
-- A blocking call yields the private S.YIELD. The resume below sees it come out of the inner coroutine,
-- yields it further up (towards the scheduler), and feeds the wakeup's values back into the inner one,
-- until the inner coroutine yields something of its own, returns or fails. The inner coroutine stays
-- "suspended" meanwhile, as in NSE.
local S = ...
local raw = coroutine
local create, rawresume, yield, status = raw.create, raw.resume, raw.yield, raw.status
local running, isyieldable, close = raw.running, raw.isyieldable, raw.close
local YIELD = S.YIELD

local M = {}
for k, v in pairs(raw) do M[k] = v end

local function pass(co, ok, tok, ...)
  if ok and tok == YIELD and status(co) == "suspended" then
    if not isyieldable() then
      error("cannot block here: a coroutine blocked, but its resumer cannot yield (inside a C function such as "
        .. "table.sort or string.gsub, or the top level of a required module)", 3)
    end
    return pass(co, rawresume(co, yield(YIELD, ...)))
  end
  return ok, tok, ...
end

function M.resume(co, ...)
  return pass(co, rawresume(co, ...))
end
local resume = M.resume

local function unwrap(co, ok, ...)
  if ok then return ... end
  local e = ...
  close(co)
  if type(e) == "string" then error(e, 2) end -- Lua 5.4 prefixes the position of the generator's caller
  error(e, 0)
end

function M.wrap(f)
  if type(f) ~= "function" then
    error(("bad argument #1 to 'wrap' (function expected, got %s)"):format(type(f) == "nil" and "no value" or type(f)), 2)
  end
  local co = create(f)
  return function(...) return unwrap(co, resume(co, ...)) end
end

-- The base coroutine of a script thread cannot yield to anything of the script's, like Lua's main thread.
function M.isyieldable(co)
  co = co or running()
  local t = S.cur
  if t and t.co == co then return false end
  return isyieldable(co)
end

return M
