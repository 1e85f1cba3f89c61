-- Copies plain values between Lua states: encode() turns values into bytes, decode() rebuilds them
-- in another state. What crosses: nil, booleans, integers and floats (kept apart), strings, tables of
-- those (cycles and shared references preserved, metatables dropped), and functions whose only upvalue
-- is _ENV (they get the receiving state's globals), and objects over thread-safe primitives (threading,
-- queue: export/import, set by primitives.lua, turn them into a global id and back into the same object).
-- Anything else is refused with an error naming its type and where it was found.
local load = ...
local pack, unpack, type, mtype = string.pack, string.unpack, type, math.type
local tunpack = table.unpack
local getupvalue, dump, concat = debug.getupvalue, string.dump, table.concat

local M = {}

local function path(where, k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return where .. "." .. k end
  return where .. "[" .. tostring(k) .. "]"
end

local function refuse(what, where, why)
  error(("cannot copy %s (at %s)%s"):format(what, where, why and (": " .. why) or ""), 0)
end

local function enc(v, out, seen, where)
  local ty = type(v)
  if v == nil then out[#out + 1] = "n"
  elseif v == true then out[#out + 1] = "t"
  elseif v == false then out[#out + 1] = "f"
  elseif ty == "number" then
    out[#out + 1] = mtype(v) == "integer" and pack("<c1j", "i", v) or pack("<c1n", "d", v)
  elseif ty == "string" then out[#out + 1] = pack("<c1s4", "s", v)
  elseif ty == "table" and M.export and M.export(v) then
    out[#out + 1] = pack("<c1j", "H", M.export(v))
  elseif ty == "table" then
    local id = seen[v]
    if id then out[#out + 1] = pack("<c1I4", "r", id); return end
    seen.n = seen.n + 1
    seen[v] = seen.n
    out[#out + 1] = "T"
    for k, x in next, v do
      if type(k) == "table" or type(k) == "function" then
        enc(k, out, seen, path(where, "<key>"))
      else
        enc(k, out, seen, where)
      end
      enc(x, out, seen, path(where, k))
    end
    out[#out + 1] = "E"
  elseif ty == "function" then
    for i = 1, 255 do
      local name = getupvalue(v, i)
      if name == nil then break end
      if name ~= "_ENV" or i ~= 1 then refuse("a function", where, "it has the upvalue '" .. name .. "'") end
    end
    local ok, bin = pcall(dump, v, true)
    if not ok then refuse("a function", where, "it is not a Lua function") end
    out[#out + 1] = pack("<c1s4", "F", bin)
  else
    refuse("a " .. ty, where)
  end
end

-- Encodes the n values `...`; `what` names them in errors (e.g. "argument").
function M.encode(what, n, ...)
  if n == 1 then -- one number or string (a queue's usual item): the same bytes, without the general walk
    local v = ...
    local ty = type(v)
    if ty == "number" then
      return mtype(v) == "integer" and pack("<I4c1j", 1, "i", v) or pack("<I4c1n", 1, "d", v)
    elseif ty == "string" then
      return pack("<I4c1s4", 1, "s", v)
    end
  end
  local out, seen = { pack("<I4", n) }, { n = 0 }
  for i = 1, n do enc((select(i, ...)), out, seen, what .. " " .. i) end
  return concat(out)
end

local function dec(s, pos, tables, env)
  local tag = s:sub(pos, pos)
  pos = pos + 1
  if tag == "n" then return nil, pos
  elseif tag == "t" then return true, pos
  elseif tag == "f" then return false, pos
  elseif tag == "i" then return unpack("<j", s, pos)
  elseif tag == "d" then return unpack("<n", s, pos)
  elseif tag == "s" then return unpack("<s4", s, pos)
  elseif tag == "r" then
    local id
    id, pos = unpack("<I4", s, pos)
    return tables[id], pos
  elseif tag == "T" then
    local t = {}
    tables[#tables + 1] = t
    while s:sub(pos, pos) ~= "E" do
      local k, v
      k, pos = dec(s, pos, tables, env)
      v, pos = dec(s, pos, tables, env)
      t[k] = v
    end
    return t, pos + 1
  elseif tag == "H" then
    local id
    id, pos = unpack("<j", s, pos)
    if not M.import then require "queue" end -- loads primitives.lua, which sets the hooks
    return M.import(id), pos
  elseif tag == "F" then
    local bin
    bin, pos = unpack("<s4", s, pos)
    return assert(load(bin, "=(copied function)", "b", env)), pos
  end
  error("corrupt copy at byte " .. pos - 1)
end

-- Rebuilds the values encoded in `s`; functions get `env` as their _ENV.
function M.decode(s, env)
  if #s > 4 then -- one number or string: read it at once
    local n, tag, pos = unpack("<I4c1", s)
    if n == 1 then
      if tag == "i" then return (unpack("<j", s, pos))
      elseif tag == "d" then return (unpack("<n", s, pos))
      elseif tag == "s" then return (unpack("<s4", s, pos)) end
    end
  end
  local n, pos = unpack("<I4", s, 1)
  local vals, tables = { n = n }, {}
  for i = 1, n do vals[i], pos = dec(s, pos, tables, env) end
  return tunpack(vals, 1, n)
end

return M
