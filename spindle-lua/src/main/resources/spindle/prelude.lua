-- Sets up a fresh Lua state for scripts and returns the host's entry points.
-- Called once per state with the host functions K and the module path (a package.path string).
local K, path = ...

-- Sandbox: no Java reflection, no native C modules (ecosystem.md 2.2 item 3), no precompiled chunks
-- (malformed bytecode can crash the Lua VM, and with it the JVM).
local rawload, rawloadfile = load, loadfile
java = nil
package.loaded.java = nil
package.loadlib = nil
package.cpath = ""
package.path = path

-- Loads one of Spindle's internal chunks with the given arguments.
local function internal(name, ...)
  local src = K.source(name)
  if not src then error("missing internal module " .. name) end
  return assert(load(src, "@[spindle]/" .. name .. ".lua", "t"))(...)
end

function load(chunk, name, mode, ...)
  if mode ~= nil and mode ~= "t" and mode ~= "bt" and mode ~= "tb" then
    return nil, "attempt to load a binary chunk (mode is '" .. tostring(mode) .. "')"
  end
  return rawload(chunk, name, "t", ...)
end

function loadfile(name, mode, ...)
  if mode ~= nil and mode ~= "t" and mode ~= "bt" and mode ~= "tb" then
    return nil, "attempt to load a binary chunk (mode is '" .. tostring(mode) .. "')"
  end
  return rawloadfile(name, "t", ...)
end

function dofile(name)
  local f = assert(loadfile(name))
  return f()
end

local S = internal("sched", K)
local copy = internal("copy", rawload)
coroutine = internal("coroutine", S)
package.loaded.coroutine = coroutine

-- Spindle's own modules: the NSE ones get the scheduler; the rest come from the class path.
for _, name in ipairs { "nmap", "stdnse", "session", "script", "cqueues", "cqueues.condition", "cqueues.socket",
  "cqueues.thread", "cqueues.signal", "cqueues.notify",
  "cqueues.dns.record", "cqueues.dns.packet", "cqueues.dns.config", "cqueues.dns.hosts", "cqueues.dns.resolver" } do
  local file = name:gsub("%.", "/")
  package.preload[name] = function() return internal(file, S, K, copy) end
end

-- luaossl's subset (docs/tls.md): each module also gets the classes and host calls they share.
local openssl
for _, name in ipairs {
  "openssl.pkey", "openssl.pubkey", "openssl.x509", "openssl.x509.name", "openssl.x509.altname",
  "openssl.x509.store", "openssl.ssl.context",
} do
  package.preload[name] = function()
    openssl = openssl or internal("openssl/core", K)
    return internal((name:gsub("%.", "/")), S, K, openssl)
  end
end

-- threading, queue and concurrent.futures (Python's), on the thread-safe primitives they share.
local prims
for _, name in ipairs { "threading", "queue", "concurrent.futures" } do
  package.preload[name] = function()
    prims = prims or internal("primitives", S, K, copy)
    return internal((name:gsub("%.", "/")), S, K, prims)
  end
end

local function classpath_searcher(name)
  local src = K.libsource(name)
  if not src then return "\n\tno module '" .. name .. "' in Spindle's library" end
  local chunk = "@[spindle]/lib/" .. name:gsub("%.", "/") .. ".lua"
  return assert(load(src, chunk, "t")), chunk
end

-- package.preload, Spindle's library, then package.path; no C searchers.
local searchers = package.searchers
package.searchers = { searchers[1], classpath_searcher, searchers[2] }

-- print goes to the host's output stream, so embedders can capture it.
local tostring, concat, select = tostring, table.concat, select
function print(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  K.out(concat(parts, "\t", 1, n) .. "\n")
end

-- os.exit ends the run with a status instead of ending the JVM.
function os.exit(code)
  if code == nil or code == true then code = 0 elseif code == false then code = 1 end
  if math.type(code) ~= "integer" then
    error(("bad argument #1 to 'exit' (integer expected, got %s)"):format(type(code)), 2)
  end
  io.stdout:flush()
  S.exit(code)
  S.block("os.exit")
end

local host = {}

-- Starts `fn` (a loaded script chunk) as the main thread of the run, with `...` as its arguments.
function host.start(fn, name, ...)
  S.spawn(coroutine.create(fn), "main (" .. name .. ")", nil, false, table.pack(...))
end

-- The same with arguments copied from another state (a background script's).
function host.start_copied(fn, name, bytes)
  local args = table.pack(copy.decode(bytes, _G))
  arg = table.move(args, 1, args.n, 1, { [0] = name })
  S.spawn(coroutine.create(fn), "main (" .. name .. ")", nil, false, args)
end

host.turn = S.turn
host.unwind = S.unwind
host.outcome = S.outcome
host.unreported = S.unreported
host.deadlock = S.deadlock

-- Before the state closes: flushes the output and turns every host function into a no-op, because the
-- finalizers lua_close runs (sockets, primitives, TLS objects release their handles) must not call into a
-- host that has already let the state go.
function host.close()
  io.stdout:flush()
  io.stderr:flush()
  local function nop() end
  for k in pairs(K) do K[k] = nop end
end

return host
