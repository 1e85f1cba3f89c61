-- What the openssl.* modules share (docs/tls.md). Loaded once per state by prelude.lua and handed to each
-- of them.
--
-- An object is a table { h = handle }: the handle names a Java object (OpenSslLib.java) and is released
-- when the table is collected. A class is the objects' metatable, named as luaossl names its C type; its
-- methods are filled in by the module that owns the class, which every module returning such objects
-- requires first.
local K = ...
local function ossl(...) return K.ossl(...) end -- looked up at each call: K is emptied before the state closes
local getmetatable, setmetatable, type, tostring, error = getmetatable, setmetatable, type, tostring, error
local pack, unpack, getinfo = table.pack, table.unpack, debug.getinfo

local O = {}

local function class(name, what)
  local methods = {}
  return {
    __name = name, __index = methods, methods = methods, what = what,
    __gc = function(self) ossl("release", self.h) end,
  }
end

-- luaossl's metatable names; `what` is what module.type() returns and what messages expect.
O.pkey = class("EVP_PKEY*", "key")
O.x509 = class("X509*", "x509 certificate")
O.name = class("X509_NAME*", "x509 name")
O.altname = class("GENERAL_NAMES*", "x509 altname")
O.store = class("X509_STORE*", "x509 store")
O.context = class("SSL_CTX*", "ssl context")

function O.wrap(cls, h)
  return setmetatable({ h = h }, cls)
end

-- Raises `msg` at the first caller outside these modules, so the position is the script's line.
local function raise(msg)
  local level = 2
  while true do
    local info = getinfo(level, "S")
    if not info or info.source:sub(1, 19) ~= "@[spindle]/openssl/" then break end
    level = level + 1
  end
  error(msg, level)
end
O.raise = raise

-- Host operation `op`; a failure becomes the error "fname: message".
function O.call(fname, op, ...)
  local r = pack(ossl(op, ...))
  if not r[1] then raise(fname .. ": " .. tostring(r[2])) end
  return unpack(r, 2, r.n)
end

local function typename(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and type(mt.__name) == "string" and mt.__name or type(v)
end
O.typename = typename

local function argerror(n, fname, msg)
  if n == 0 then raise(("calling '%s' on bad self (%s)"):format(fname, msg)) end
  raise(("bad argument #%d to '%s' (%s)"):format(n, fname, msg))
end
O.argerror = argerror

-- The handle of argument `n` (0: self) of `fname`, which must be an object of class `cls`.
function O.check(cls, v, n, fname)
  if getmetatable(v) ~= cls then argerror(n, fname, ("%s expected, got %s"):format(cls.what, typename(v))) end
  return v.h
end

-- Argument `n` of `fname`, which must have Lua type `ty` (or be nil when `optional`).
function O.arg(v, ty, n, fname, optional)
  if type(v) == ty or (optional and v == nil) then return v end
  argerror(n, fname, ("%s expected, got %s"):format(optional and (ty .. " or nil") or ty, typename(v)))
end

-- module.type(x): what x is, or nil.
function O.typer(cls)
  return function(v) return getmetatable(v) == cls and cls.what or nil end
end

-- module.interpose(name, f): adds or replaces a method; returns the one it replaced.
function O.interposer(cls, modname)
  return function(name, f)
    O.arg(name, "string", 1, modname .. ".interpose")
    O.arg(f, "function", 2, modname .. ".interpose")
    local old = cls.methods[name]
    cls.methods[name] = f
    return old
  end
end

-- A module table with type and interpose, and new() from host op `newop` when given.
function O.module(cls, modname, newop, extra)
  local M = extra or {}
  M.type = O.typer(cls)
  M.interpose = O.interposer(cls, modname)
  if newop then
    M.new = function() return O.wrap(cls, O.call(modname .. ".new", newop)) end
  end
  return M
end

-- Checks argument `n` of `fname` against `want`: a class (gives the handle) or a Lua type name.
local function want_arg(want, v, n, fname)
  if type(want) == "table" then return O.check(want, v, n, fname) end
  return O.arg(v, want, n, fname)
end

-- A method of class `cls` that passes (handle, its argument, ...) to host op `op` and returns true; the
-- argument must be `want` (a class or a Lua type name). `keep(self, v)`, if given, runs after success.
function O.setter(cls, modname, fname, op, want, keep, ...)
  local extra = pack(...)
  return function(self, v)
    local h = O.check(cls, self, 0, fname)
    O.call(modname .. ":" .. fname, op, h, want_arg(want, v, 1, fname), unpack(extra, 1, extra.n))
    if keep then keep(self, v) end
    return true
  end
end

-- A method of class `cls` that returns host op `op`'s first result for (handle, ...), wrapped as an object
-- of class `wrap` when given (nil stays nil).
function O.getter(cls, modname, fname, op, wrap, ...)
  local extra = pack(...)
  return function(self)
    local r = O.call(modname .. ":" .. fname, op, O.check(cls, self, 0, fname), unpack(extra, 1, extra.n))
    if wrap and r ~= nil then return O.wrap(wrap, r) end
    return r
  end
end

return O
