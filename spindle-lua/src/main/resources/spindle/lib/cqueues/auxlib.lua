-- cqueues.auxlib: helpers around errors and coroutines.
--
-- On Spindle every coroutine.resume already passes polls up to the scheduler (multilevel yield), so
-- resume and wrap here are the coroutine library's own; wrap re-raises errors unchanged.
local errno = require "cqueues.errno"

local M = {}

local function raiser(level)
  return function(v, ...)
    if v then return v, ... end
    for i = 1, select("#", ...) do
      local e = select(i, ...)
      if e ~= nil and e ~= false then
        if math.type(e) == "integer" then e = errno.strerror(e) end
        error(e, level)
      end
    end
    error("assertion failed!", level)
  end
end

M.assert = raiser(2)
for level = 2, 9 do M["assert" .. level] = raiser(level) end

-- On failure turns (false|nil, nil|msg, errno) into (v, message, errno), as io functions return.
function M.fileresult(v, ...)
  if v then return v, ... end
  local msg, code = ...
  if msg == nil and code ~= nil then return v, errno.strerror(code), code end
  return v, msg, code
end

M.resume = coroutine.resume

function M.wrap(f)
  local co = coroutine.create(f)
  return function(...)
    local r = table.pack(coroutine.resume(co, ...))
    if not r[1] then error(r[2], 0) end
    return table.unpack(r, 2, r.n)
  end
end

-- tostring that may yield inside __tostring.
function M.tostring(v)
  local mt = getmetatable(v)
  local f = type(mt) == "table" and rawget(mt, "__tostring")
  if not f then return tostring(v) end
  local s = f(v)
  if type(s) == "string" or type(s) == "number" then return tostring(s) end
  local smt = getmetatable(s)
  if type(smt) == "table" and rawget(smt, "__tostring") then
    return ("%s: %s"):format(type(s), string.format("%p", s))
  end
  return tostring(s)
end

return M
