-- The session module: a process-wide named data pool shared by every script and the embedding Java
-- program (the Legato model). In every function the identifying strings come first: one string is the
-- name, two are group and name, three are group, section and name; the value or operands follow.
local S, K = ...
local mtype, type, select, tostring = math.type, type, select, tostring

local M = { MATCH = 1, NO_MATCH = 0 }

-- Splits (ids..., operands...) where the operand count is fixed; returns group, section, name.
local function ids(fname, nops, ...)
  local n = select("#", ...) - nops
  if n < 1 or n > 3 then
    error(("bad argument #1 to 'session.%s' (expected 1 to 3 identifying strings and %d operand%s, got %d argument%s)")
      :format(fname, nops, nops == 1 and "" or "s", select("#", ...), select("#", ...) == 1 and "" or "s"), 3)
  end
  for i = 1, n do
    local v = select(i, ...)
    if type(v) ~= "string" then
      error(("bad argument #%d to 'session.%s' (string expected, got %s)"):format(i, fname, type(v)), 3)
    end
  end
  local a, b, c = ...
  if n == 1 then return nil, nil, a, n end
  if n == 2 then return a, nil, b, n end
  return a, b, c, n
end

-- The text a value is stored as: strings verbatim, integers and floats as decimal text, booleans 1/0.
local function text(fname, argn, v)
  local ty = type(v)
  if ty == "string" then return v end
  if ty == "number" then
    if mtype(v) == "integer" then return ("%d"):format(v) end
    return tostring(v)
  end
  if ty == "boolean" then return v and "1" or "0" end
  error(("bad argument #%d to 'session.%s' (string, number or boolean expected, got %s)"):format(argn, fname, ty), 3)
end

local function call(fname, ...)
  local ok, a, b = K.session(...)
  if not ok then error(("session.%s: %s"):format(fname, a), 3) end
  return a, b
end

function M.set(...)
  local g, s, name, n = ids("set", 1, ...)
  call("set", "set", g, s, name, text("set", n + 1, (select(n + 1, ...))))
end

function M.set_word(...)
  local g, s, name, n = ids("set_word", 1, ...)
  local w = select(n + 1, ...)
  if mtype(w) ~= "integer" then
    error(("bad argument #%d to 'session.set_word' (integer expected, got %s)"):format(n + 1,
      mtype(w) or type(w)), 2)
  end
  call("set_word", "set", g, s, name, ("%x"):format(w))
end

function M.get_string(...)
  local g, s, name = ids("get_string", 0, ...)
  return (call("get_string", "get", g, s, name))
end

function M.get_integer(...)
  local g, s, name = ids("get_integer", 0, ...)
  local v = call("get_integer", "get", g, s, name)
  if v == nil then return nil end
  local i = v:match("^[+-]?%d+$") and math.tointeger(tonumber(v))
  if not i then error(("session.get_integer: entry '%s' is not a decimal integer: %q"):format(name, v), 2) end
  return i
end

function M.get_word(...)
  local g, s, name = ids("get_word", 0, ...)
  local v = call("get_word", "get", g, s, name)
  if v == nil then return nil end
  if not v:match("^%x+$") or #v > 16 then
    error(("session.get_word: entry '%s' is not a hexadecimal word: %q"):format(name, v), 2)
  end
  return math.tointeger(tonumber(v, 16)) or error("session.get_word: out of range", 2)
end

function M.increment(...)
  local g, s, name = ids("increment", 0, ...)
  return (call("increment", "increment", g, s, name))
end

function M.decrement(...)
  local g, s, name = ids("decrement", 0, ...)
  return (call("decrement", "decrement", g, s, name))
end

function M.test_and_set(...)
  local g, s, name, n = ids("test_and_set", 3, ...)
  local flags, match, data = select(n + 1, ...)
  if flags ~= M.MATCH and flags ~= M.NO_MATCH then
    error(("bad argument #%d to 'session.test_and_set' (session.MATCH or session.NO_MATCH expected, got %s)")
      :format(n + 1, tostring(flags)), 2)
  end
  return (call("test_and_set", "test_and_set", g, s, name, flags == M.MATCH,
    text("test_and_set", n + 2, match), text("test_and_set", n + 3, data)))
end

function M.delete(...)
  local g, s, name = ids("delete", 0, ...)
  return (call("delete", "delete", g, s, name))
end

function M.reset()
  call("reset", "reset")
end

-- Every entry as a row { group, section, name, data, handle (hexadecimal text), time_stamp (ns) }.
function M.enumerate()
  local rows = {}
  local flat = call("enumerate", "enumerate")
  for i = 1, #flat, 6 do
    rows[#rows + 1] = {
      group = flat[i], section = flat[i + 1], name = flat[i + 2], data = flat[i + 3],
      handle = ("%x"):format(flat[i + 4]), time_stamp = flat[i + 5],
    }
  end
  return rows
end

function M.pool_size()
  return (call("pool_size", "pool_size"))
end

return M
