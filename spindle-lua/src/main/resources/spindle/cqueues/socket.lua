-- cqueues.socket on Spindle's sockets: the blocking methods, timeouts, sticky errors, error handlers and
-- modes of cqueues, over the non-blocking host functions K.so_* (SocketLib.java). When an operation would
-- wait, the host registers a readiness event and the calling coroutine blocks on it alone (a script
-- thread, a worker, or a coroutine of a controller), with a timer beside it when a timeout applies.
local S, K = ...
local cqueues = require "cqueues"
local errno = require "cqueues.errno"
local strerror = errno.strerror
local EAGAIN, EPIPE, ETIMEDOUT = errno.EAGAIN, errno.EPIPE, errno.ETIMEDOUT
local select, type, tostring, tointeger = select, type, tostring, math.tointeger
local pack, unpack, concat = table.pack, table.unpack, table.concat

local M = {
  AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10, AF_UNIX = 1,
  SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5,
}

local Socket = { __name = "socket" }
Socket.__index = Socket

local EOF = {} -- what read1 returns at end of input

local function new(h, host)
  local self = setmetatable({ h = h, host = host, ev = "", errs = {}, nerrs = { r = 0, w = 0 },
    maxerrs = { r = 100, w = 100 }, eofs = {}, intext = true, pushback = true, outtext = true,
    buffering = "line", autoflush = true, bufsiz = 4096, inbufsiz = 4096, maxline = 4096, outmaxline = 4096 },
    Socket)
  self.fd = S.newfd(self)
  return self
end
S.socket = new -- a socket object over a host handle (cqueues.thread makes its ends this way)

local function live(self, op)
  if getmetatable(self) ~= Socket then
    error(("calling '%s' on bad self (socket expected, got %s)"):format(op, type(self)), 3)
  end
  if self.closed then error(("calling '%s' on bad self (socket closed)"):format(op), 3) end
end

local function label(self)
  local af, a, b = K.so_name(self.h, true)
  if af == 2 or af == 10 then return ("[%s]:%d"):format(a, b) end
  if af == 1 then return "unix:" .. (a or "unnamed") end
  return "socket"
end

local function default_handler(so, op, code, level)
  if code == EPIPE or code == ETIMEDOUT then return code end
  error(("%s:%s: %s"):format(label(so), op, strerror(code)), level + 1)
end

-- Reports an error through the socket's handler; `which` makes it sticky on that channel.
local function fail(self, op, code, which)
  if which then
    self.errs[which] = code
    self.nerrs[which] = 0
  end
  return (self.handler or default_handler)(self, op, code, 3)
end

-- The stored error of a channel, re-reported; raises once it was re-reported too often.
local function sticky(self, which)
  local code = self.errs[which]
  if not code then return nil end
  local n = self.nerrs[which] + 1
  self.nerrs[which] = n
  if self.maxerrs[which] >= 0 and n > self.maxerrs[which] then
    error(("exceeded unchecked error limit (%s)"):format(strerror(code)), 3)
  end
  return code
end

local function deadline(self, timeout)
  timeout = timeout or self.tmo
  return timeout and K.monotime() + timeout
end

-- Blocks until host event `id` (registered by a K.so_* call) fires; false if `dl` passed first.
local function await(self, id, dl, what)
  local fired = S.await(id, dl, what, K.so_unwait, self.h)
  if self.closed then error(("calling '%s' on bad self (socket closed)"):format(what:match("%S+$")), 0) end
  return fired
end

-- Waits until the socket is ready for `dir` ("r" or "w"); false on timeout.
local function ready(self, dir, dl, what)
  while true do
    local r = K.so_wait(self.h, dir, true)
    if r == true then return true end
    self.ev = dir
    if not await(self, r, dl, what) then return false end
  end
end

----------------------------------------------------------------------------------------------------------
-- Input

local formats = { ["*l"] = "*l", ["*L"] = "*L", ["*a"] = "*a", l = "*l", L = "*L", a = "*a" }

local function format(f, i)
  if math.type(f) == "integer" then return f end
  if type(f) == "number" then
    local n = tointeger(f)
    if n then return n end
    error(("bad argument #%d to 'read' (integer format expected, got %g)"):format(i, f), 4)
  end
  local v = formats[f]
  if v then return v end
  if f == "*n" or f == "n" then error("*n not implemented yet", 4) end
  error(("invalid format %s"):format(tostring(f)), 4)
end

-- One value: a string, EOF, or nil and an errno.
local function read1(self, fmt, dl)
  while true do
    local v, code, id = K.so_read(self.h, fmt, true)
    if v then return v end
    if v == false or code == EPIPE then
      self.eofs.r = true
      return EOF
    end
    if code ~= EAGAIN then return nil, code end
    self.ev = "r"
    if not await(self, id, dl, "socket read") then return nil, ETIMEDOUT end
  end
end

-- Reads one value per format ("*l" by default); stops at the first format that meets the end of input.
function Socket:read(...)
  live(self, "read")
  local code = sticky(self, "r")
  if code then return nil, code end
  local dl = self.tmo and deadline(self)
  local n = select("#", ...)
  if n <= 1 then
    local fmt = n == 0 and "*l" or format(..., 1)
    local v, err = read1(self, fmt, dl)
    if v == EOF then
      if fmt == "*l" or fmt == "*L" then return nil end
      return
    end
    if v then return v end
    return nil, fail(self, "read", err, "r")
  end
  local out = {}
  for i = 1, n do
    local fmt = format(select(i, ...), i)
    local v, err = read1(self, fmt, dl)
    if v == EOF then
      if fmt == "*l" or fmt == "*L" then out[i] = nil; return unpack(out, 1, i) end
      return unpack(out, 1, i - 1)
    end
    if not v then return nil, fail(self, "read", err, "r") end
    out[i] = v
  end
  return unpack(out, 1, n)
end

-- One format with a mode and a timeout for this call only (in either order).
function Socket:xread(fmt, a, b)
  live(self, "xread")
  local mode, timeout = a, b
  if type(a) == "number" then mode, timeout = b, a end
  local saved = self.tmo
  local prev_in
  if mode then prev_in = self:setmode(mode, nil) end
  self.tmo = timeout or saved
  local r = pack(pcall(self.read, self, fmt))
  self.tmo = saved
  if prev_in then self:setmode(prev_in, nil) end
  if not r[1] then error(r[2], 2) end
  return unpack(r, 2, r.n)
end

function Socket:lines(...)
  live(self, "lines")
  local fmts = pack(...)
  if fmts.n == 0 then fmts = { "*l", n = 1 } end
  return function() return self:read(unpack(fmts, 1, fmts.n)) end
end

function Socket:xlines(fmt, a, b)
  live(self, "xlines")
  return function() return self:xread(fmt, a, b) end
end

-- Ensures `n` bytes are buffered: true, or false and an errno.
function Socket:fill(n, timeout)
  live(self, "fill")
  local s, err = self:xread(n, timeout)
  if s == nil then return false, err or EPIPE end
  K.so_unget(self.h, s)
  if #s < n then return false, EPIPE end
  return true
end

function Socket:unget(str)
  live(self, "unget")
  K.so_unget(self.h, tostring(str))
  self.eofs.r = nil
  return true
end

-- Non-blocking read, not routed through the error handler: data, or nil and an errno.
function Socket:recv(fmt, mode)
  live(self, "recv")
  local v, code = K.so_read(self.h, format(fmt or "*l", 1), false)
  if v then return v end
  if v == false then return nil, EPIPE end
  return nil, code
end

----------------------------------------------------------------------------------------------------------
-- Output

-- Blocks while the host reports EAGAIN for this socket's output; returns 0 or an errno.
local function drain(self, code, id, dl)
  while code == EAGAIN do
    self.ev = "w"
    if not await(self, id, dl, "socket write") then return ETIMEDOUT end
    code, id = K.so_flush(self.h, true)
  end
  return code
end

function Socket:write(...)
  live(self, "write")
  local code = sticky(self, "w")
  if code then return nil, code end
  local n, data = select("#", ...), ...
  if n ~= 1 or type(data) ~= "string" then
    local parts = pack(...)
    for i = 1, n do parts[i] = tostring(parts[i]) end
    data = concat(parts, "", 1, n)
  end
  local c, id = K.so_write(self.h, data, true)
  if c ~= 0 then c = drain(self, c, id, self.tmo and deadline(self)) end
  if c ~= 0 then return nil, fail(self, "write", c, "w") end
  return self
end

function Socket:xwrite(str, a, b)
  live(self, "xwrite")
  local mode, timeout = a, b
  if type(a) == "number" then mode, timeout = b, a end
  local saved, prev_out = self.tmo, nil
  if mode then prev_out = select(2, self:setmode(nil, mode)) end
  self.tmo = timeout or saved
  local r = pack(pcall(self.write, self, str))
  self.tmo = saved
  if prev_out then self:setmode(nil, prev_out) end
  if not r[1] then error(r[2], 2) end
  return unpack(r, 2, r.n)
end

function Socket:flush(mode, timeout)
  live(self, "flush")
  if type(mode) == "number" then mode, timeout = nil, mode end
  local code = sticky(self, "w")
  if code then return false, code end
  local c, id = K.so_flush(self.h, true)
  c = drain(self, c, id, deadline(self, timeout))
  if c ~= 0 then return false, fail(self, "flush", c, "w") end
  return true
end

-- Non-blocking send of str:sub(i, j): the number of bytes taken, and an errno if none.
function Socket:send(str, i, j)
  live(self, "send")
  str = tostring(str):sub(i or 1, j or -1)
  local c = K.so_write(self.h, str, false)
  if c == 0 or c == EAGAIN then return #str end
  return 0, c
end

----------------------------------------------------------------------------------------------------------
-- Phases: connect, listen, accept, TLS

-- Waits until connecting (or binding) has an outcome; returns self, or nil and the handler's code.
local function settle(self, op, timeout)
  live(self, op)
  if not ready(self, "w", deadline(self, timeout), "socket " .. op) then
    return nil, fail(self, op, ETIMEDOUT)
  end
  local e = K.so_error(self.h)
  if e ~= 0 then return nil, fail(self, op, e) end
  return self
end

function Socket:connect(timeout)
  return settle(self, "connect", timeout)
end

function Socket:listen(timeout)
  return settle(self, "listen", timeout)
end

function Socket:accept(opts, timeout)
  live(self, "accept")
  if type(opts) == "number" then opts, timeout = nil, opts end
  local dl = deadline(self, timeout)
  while true do
    local h, code, id = K.so_accept(self.h, true)
    if h then return new(h) end
    if code ~= EAGAIN then return nil, fail(self, "accept", code) end
    self.ev = "r"
    if not await(self, id, dl, "socket accept") then return nil, ETIMEDOUT end
  end
end

function Socket:clients(opts, timeout)
  live(self, "clients")
  return function() return (self:accept(opts, timeout)) end
end

function Socket:starttls(a, b)
  live(self, "starttls")
  local ctx, timeout = a, b
  if type(a) == "number" then ctx, timeout = b, a end
  if ctx ~= nil and (type(ctx) ~= "table" or not ctx.h) then
    error(("bad argument #1 to 'starttls' (SSL context expected, got %s)"):format(type(ctx)), 2)
  end
  local dl = deadline(self, timeout)
  if self.autoflush then self:flush() end
  local started, why = K.so_starttls(self.h, ctx and ctx.h or 0, self.host, self.sendname)
  if not started then error("starttls: " .. tostring(why), 2) end
  if not ready(self, "w", dl, "socket starttls") then return nil, fail(self, "starttls", ETIMEDOUT) end
  local e = K.so_error(self.h)
  if e ~= 0 then return nil, fail(self, "starttls", e) end
  return self
end

function Socket:checktls()
  live(self, "checktls")
  return nil, "Spindle has no openssl.ssl objects for connections"
end

----------------------------------------------------------------------------------------------------------
-- State, modes, errors

function Socket:shutdown(how)
  live(self, "shutdown")
  how = how or "rw"
  if how ~= "r" and how ~= "w" and how ~= "rw" and how ~= "wr" then
    error(("bad argument #1 to 'shutdown' (r, w or rw expected, got %s)"):format(tostring(how)), 2)
  end
  local c = K.so_shutdown(self.h, how:find("r", 1, true) ~= nil, how:find("w", 1, true) ~= nil)
  if c ~= 0 then return false, c end
  return true
end

function Socket:close()
  if getmetatable(self) ~= Socket then error("bad argument #1 to 'close' (socket expected)", 2) end
  if self.closed then return end
  self.closed = true
  K.so_close(self.h)
end
Socket.__gc = Socket.close

function Socket:pending()
  live(self, "pending")
  local i, o = K.so_pending(self.h)
  return i or 0, o or 0
end

function Socket:eof(which)
  live(self, "eof")
  local out = {}
  for c in (which or "rw"):gmatch(".") do out[#out + 1] = self.eofs[c] == true end
  return unpack(out)
end

local function channels(which, fn)
  which = which or "rw"
  if not which:match("^[rw]+$") then error(("%s: only 'r' or 'w' accepted"):format(fn), 3) end
  return which:gmatch(".")
end

function Socket:error(which)
  live(self, "error")
  local out = {}
  for c in channels(which, "error") do out[#out + 1] = self.errs[c] or false end
  for i = 1, #out do if out[i] == false then out[i] = nil end end
  return unpack(out, 1, #out)
end

function Socket:clearerr(which)
  live(self, "clearerr")
  local out, n = {}, 0
  for c in channels(which, "clearerr") do
    n = n + 1
    out[n] = self.errs[c]
    self.errs[c], self.nerrs[c] = nil, 0
  end
  return unpack(out, 1, n)
end

function Socket:setmaxerrs(which, n)
  live(self, "setmaxerrs")
  if type(which) == "number" then which, n = "rw", which end
  local out, k = {}, 0
  for c in channels(which, "setmaxerrs") do
    k = k + 1
    out[k] = self.maxerrs[c]
    if n then self.maxerrs[c] = n end
  end
  return unpack(out, 1, k)
end

function Socket:onerror(f)
  live(self, "onerror")
  local old = self.handler or default_handler
  if f ~= nil then self.handler = f end
  return old
end

function Socket:settimeout(t)
  live(self, "settimeout")
  local old = self.tmo
  self.tmo = tonumber(t)
  return old
end

local bufmodes = { n = "none", l = "line", f = "full" }
local bufcodes = { none = 0, line = 1, full = 2 }

local function modes(self)
  return (self.intext and "t" or "b") .. "-" .. (self.pushback and "p" or "P"),
    (self.outtext and "t" or "b") .. self.buffering:sub(1, 1) .. (self.autoflush and "a" or "A")
end

-- Applies a mode string over cqueues' defaults (text, line buffering, autoflush, pushback), not over the
-- current mode.
local function apply(self, mode, input)
  local text, buf, auto, push = true, "line", true, true
  for c in mode:gmatch(".") do
    if c == "t" then text = true elseif c == "b" then text = false
    elseif bufmodes[c] then buf = bufmodes[c]
    elseif c == "a" then auto = true elseif c == "A" then auto = false
    elseif c == "p" then push = true elseif c == "P" then push = false end
  end
  if input then
    self.intext, self.pushback = text, push
    K.so_set(self.h, "intext", text)
  else
    self.outtext, self.buffering, self.autoflush = text, buf, auto
    K.so_set(self.h, "outtext", text)
    K.so_set(self.h, "buffering", bufcodes[buf])
    K.so_set(self.h, "autoflush", auto)
  end
end

function Socket:setmode(input, output)
  live(self, "setmode")
  local pin, pout = modes(self)
  if input ~= nil then apply(self, tostring(input), true) end
  if output ~= nil then apply(self, tostring(output), false) end
  return pin, pout
end

local vbuf = { line = "line", full = "full", nobuf = "none", no = "none" }

function Socket:setvbuf(mode, size)
  live(self, "setvbuf")
  local b = vbuf[mode]
  if not b then error(("bad argument #1 to 'setvbuf' (invalid mode '%s')"):format(tostring(mode)), 2) end
  local prev, prevsize = self.buffering == "none" and "no" or self.buffering, self.bufsiz
  self.buffering = b
  K.so_set(self.h, "buffering", bufcodes[b])
  if size then
    self.bufsiz = (size < 0 or size == math.huge) and -1 or math.floor(size)
    K.so_set(self.h, "bufsiz", self.bufsiz)
  end
  return prev, prevsize
end

local host_sizes = { inbufsiz = true, bufsiz = true, maxline = true } -- the ones SocketLib applies

-- Sets the input and output value of a pair of sizes (negative or infinite: unlimited); returns the old.
local function sizes(self, fn, inkey, outkey, input, output)
  live(self, fn)
  local pin, pout = self[inkey], self[outkey]
  for key, v in pairs { [inkey] = input or false, [outkey] = output or false } do
    if v then
      self[key] = (v < 0 or v == math.huge) and -1 or math.floor(v)
      if host_sizes[key] then K.so_set(self.h, key, self[key]) end
    end
  end
  return pin, pout
end

function Socket:setbufsiz(input, output)
  return sizes(self, "setbufsiz", "inbufsiz", "bufsiz", input, output)
end

function Socket:setmaxline(input, output)
  return sizes(self, "setmaxline", "maxline", "outmaxline", input, output)
end

function Socket:peername()
  live(self, "peername")
  return K.so_name(self.h, true)
end

function Socket:localname()
  live(self, "localname")
  return K.so_name(self.h, false)
end

-- The pollable trio: a stable descriptor, the events of the last operation that had to wait, the timeout.
function Socket:pollfd()
  return self.fd
end

function Socket:events()
  return self.ev
end

function Socket:timeout()
  if self.tmo then return self.tmo end
end

function Socket:clear()
  self.ev = ""
  return true
end

S.pollable[Socket] = {
  ready = function(o, ev)
    if o.closed then return true end
    ev = ev or o.ev
    if type(ev) ~= "string" then return false end
    for c in ev:gmatch("[rw]") do
      if K.so_wait(o.h, c, false) then return true end
    end
    return false
  end,
  arm = function(o, t, ticket, i, ev)
    ev = ev or o.ev
    local ids = {}
    if o.closed or type(ev) ~= "string" then return ids end
    for c in ev:gmatch("[rw]") do
      local id = K.so_wait(o.h, c, true)
      if id ~= true then
        S.expect(id, ticket)
        ids[#ids + 1] = id
      end
    end
    return ids
  end,
  disarm = function(o, ids)
    for _, id in ipairs(ids) do S.withdraw(K.so_unwait, o.h, id) end
  end,
  timeout = function(o) return o.tmo end,
  cancel = function(o) if not o.closed then K.so_cancel(o.h) end end,
}

----------------------------------------------------------------------------------------------------------
-- Constructors

local function opts(fn, a, b)
  if type(a) == "table" then
    local o = {}
    for k, v in pairs(a) do
      if type(k) == "string" then o[k:gsub("^sin_", ""):gsub("^tls_", "")] = v end
    end
    return o
  end
  return { host = a, port = b }
end

local function checkport(fn, o)
  if o.path then return end
  if type(o.host) ~= "string" then
    error(("bad argument #1 to '%s' (host string expected, got %s)"):format(fn, type(o.host)), 3)
  end
  local port = tointeger(tonumber(o.port))
  if not port or port < 0 or port > 65535 then
    error(("bad argument #2 to '%s' (port expected, got %s)"):format(fn, tostring(o.port)), 3)
  end
  o.port = port
end

function M.connect(a, b, family, stype)
  local o = opts("connect", a, b)
  checkport("connect", o)
  if (o.type or stype) == M.SOCK_DGRAM then return new(K.so_udp(o.host, o.port, true, o.broadcast == true), o.host) end
  local bind = o.bind
  local bhost, bport
  if type(bind) == "string" then bhost, bport = bind, 0
  elseif type(bind) == "table" then bhost, bport = bind[1] or bind.addr, tointeger(bind[2] or bind.port) or 0 end
  local so = new(K.so_connect(o.host, o.port, o.path, o.nodelay ~= false, bhost, bport), o.host)
  so.sendname = o.sendname
  return so
end

function M.listen(a, b, family, stype)
  local o = opts("listen", a, b)
  o.type = o.type or stype
  checkport("listen", o)
  if o.type == M.SOCK_DGRAM then return new(K.so_udp(o.host, o.port, false, o.broadcast == true)) end
  return new(K.so_listen(o.host, o.port, o.path, o.reuseaddr ~= false, o.reuseport == true, o.nodelay ~= false))
end

function M.pair(stype)
  local h1, h2, code = K.so_pair()
  if not h1 then return nil, nil, code end
  return new(h1), new(h2)
end

function M.type(x)
  if getmetatable(x) ~= Socket then return nil end
  return x.closed and "closed socket" or "socket"
end

M.interpose = S.interposer(Socket)

return M
