-- What threading, queue and concurrent.futures share: Lua objects over the thread-safe primitives of
-- dev.spindle.kernel.sync (K.sy, ThreadingLib.java), how a coroutine waits on one, and how they cross to
-- other Lua states (copy.lua encodes them as a global id, the receiving state adopts the same object).
local S, K, copy = ...
require "cqueues" -- S.ms, S.untime
local P = {}

local classes = {} -- Java class name -> Lua class (for adopting a shared object)

-- A class for objects over a primitive: method lookup, release of the handle with the object.
function P.class(name, javaname)
  local c = { __name = name }
  c.__index = c
  c.__gc = function(o) K.sy("release", o.h) end
  c.__shared = true
  classes[javaname] = c
  return c
end

-- A new object of class `c` over a new primitive of `kind`.
function P.new(c, kind, ...)
  local h, err = K.sy("new", kind, ...)
  if not h then error(err, 3) end
  return setmetatable({ h = h }, c)
end

-- Calls an operation that never waits; raises its failure as the error `fn` names.
function P.now(o, what, ...)
  local v, err = K.sy("try", o.h, what, ...)
  if v == nil and err then error(err, 3) end
  return v
end

-- Runs an operation that may wait: true and its value, or false when `timeout` seconds (nil or negative:
-- no limit) passed first. A wait whose value is already on its way when the timeout fires still gets it.
function P.wait(what, o, op, timeout, ...)
  local done, v, extra = K.sy("wait", o.h, op, ...)
  if done == nil then error(v, 3) end
  if done then return true, v, extra end
  local id = v
  if timeout == 0 then
    if K.sy("cancel", id) then return false, nil, extra end
    timeout = nil
  end
  local ticket = S.ticket()
  S.expect(id, ticket)
  local timer = timeout and timeout > 0 and S.timer(S.ms(timeout), ticket)
  while true do
    local val, got = S.block(what)
    if got == id then
      S.untime(timer, got)
      return true, val, extra
    end
    if K.sy("cancel", id) then -- the timeout won
      S.unexpect(id)
      return false, nil, extra
    end
    S.expect(id, S.ticket()) -- done meanwhile: wait for the value, without a timer now
    timer = nil
  end
end

-- The owner token of the calling script thread (for RLock and Condition): its scheduler record's id.
function P.me()
  local t = S.cur
  if not t then error("not in a script thread", 3) end
  return t.id
end

function P.encode(what, ...)
  return copy.encode(what, select("#", ...), ...)
end

function P.decode(bytes)
  return copy.decode(bytes, _G)
end

-- copy.lua hooks: an object over a primitive crosses as its global id and comes back as the same object.
copy.export = function(v)
  local mt = getmetatable(v)
  if type(mt) == "table" and rawget(mt, "__shared") and rawget(v, "h") then return K.sy("share", v.h) end
end
copy.import = function(id)
  local h, javaname = K.sy("adopt", id)
  if not h then error(javaname, 0) end
  local c = classes[javaname]
  return setmetatable({ h = h }, c)
end

-- A result settled once, shared across states: the Java Promise behind ProcessPoolExecutor's futures.
local Promise = P.class("Promise", "Promise")
P.Promise = Promise
function P.promise() return P.new(Promise, "promise") end
function Promise:start() return P.now(self, "start") end
function Promise:cancel() return P.now(self, "cancel") end
function Promise:state() return P.now(self, "state") end
function Promise:fulfill(...) return P.now(self, "fulfill", P.encode("result", ...)) end
function Promise:reject(e)
  local ok, bytes = pcall(P.encode, "error", e)
  if not ok then bytes = P.encode("error", S.errtext(e)) end -- an error that cannot cross goes as text
  return P.now(self, "reject", bytes)
end
-- Waits until settled (true) or `timeout` seconds pass (false).
function Promise:wait(timeout) return (P.wait("a future's result", self, "wait", timeout)) end
-- The values (fulfilled) or the error (rejected).
function Promise:outcome() return P.decode(P.now(self, "value")) end

-- A unique error value of module `mod` (queue.Full, concurrent.futures.TimeoutError): raised with error(),
-- compared with == after pcall, printed with its full name.
function P.exception(mod, name)
  local full = mod .. "." .. name
  return setmetatable({ name = name }, { __name = full, __tostring = function() return full end })
end

-- Validates a Python-style timeout argument: nil or negative means none.
function P.timeout(fn, t, i)
  if t ~= nil and type(t) ~= "number" then
    error(("bad argument #%d to '%s' (number expected, got %s)"):format(i, fn, type(t)), 3)
  end
  if t and t < 0 then return nil end
  return t
end

return P
