-- cqueues.thread: a function run in an isolated thread (its own Lua state on its own OS thread), connected
-- to its starter by a socket pair. The function and its arguments cross by copy (spindle/copy.lua: a
-- function may keep no upvalue but _ENV); `f` may also be Lua source text.
local S, K, copy = ...
local socket = require "cqueues.socket"
local errno = require "cqueues.errno"

local Thread = { __name = "cqueues thread" }
Thread.__index = Thread
Thread.__eq = function(a, b) return a.handle == b.handle end

local M = {}

local function thread(handle)
  local self = setmetatable({ handle = handle }, Thread)
  self.fd = S.newfd(self)
  return self
end

-- Runs in the new thread: adopts its end of the pair and calls the function.
local function boot(pair_id, f, ...)
  local M = require "cqueues.thread"
  if type(f) == "string" then f = assert(load(f, "=(thread)", "t")) end
  M.started_here = true
  return f(M.adopt(pair_id), ...)
end

-- Starts f(so, ...) in a new thread; returns the thread and this side's socket.
function M.start(f, ...)
  if type(f) ~= "function" and type(f) ~= "string" then
    error(("bad argument #1 to 'start' (function or string expected, got %s)"):format(type(f)), 2)
  end
  local args = copy.encode("argument", select("#", ...) + 3, boot, 0, f, ...) -- checks every value first
  local h, pair_id, code = K.so_pair_shared()
  if not h then return nil, nil, code end
  args = copy.encode("argument", select("#", ...) + 3, boot, pair_id, f, ...)
  local handle = K.iso_start("cqueues thread", K.source("isolated"), args)
  return thread(handle), S.socket(h)
end

-- This thread's end of its pair (used by boot).
function M.adopt(pair_id)
  local h = K.so_adopt(pair_id)
  if not h then error("cqueues.thread: socket pair already taken", 2) end
  return S.socket(h)
end

-- Waits for the thread to end: true, nil (clean) or true, message (its error); false, ETIMEDOUT.
function Thread:join(timeout)
  if self.handle == K.script_info("handle") then error("thread.join: cannot join self", 2) end
  local script = require "script"
  if not script.wait(self.handle, timeout and math.max(0, timeout * 1000) or nil) then
    return false, errno.ETIMEDOUT
  end
  local st, err = script.status(self.handle)
  if st == "failed" then return true, err end
  return true, nil
end

function Thread:pollfd() return self.fd end
function Thread:events() return "r" end
function Thread:timeout() end

-- The host's wait for a run's end cannot be withdrawn; it ends with the thread and is then ignored.
local arm, disarm = S.hostwait(function(o)
  local done, id = K.script_wait(o.handle, -1)
  return done or id
end, function() end)
S.pollable[Thread] = {
  ready = function(o) return K.script_status(o.handle) ~= "running" end,
  arm = arm,
  disarm = disarm,
  timeout = function() return nil end,
}

-- The calling thread's object inside a thread made by start; nil elsewhere.
function M.self()
  if not M.started_here then return nil end
  return thread(K.script_info("handle"))
end

function M.type(x)
  if getmetatable(x) == Thread then return "thread" end
  return nil
end

M.interpose = S.interposer(Thread)

return M
