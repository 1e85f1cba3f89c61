-- cqueues.signal on Spindle's signal hub (dev.spindle.kernel.signal, docs/signals.md): listeners that
-- receive the OS signals the JVM lets Java handle and the signals raised in-process by signal.raise, which
-- never reach the OS. Dispositions (block, ignore, ...) belong to this Lua state and go with it.
--
-- Differences from cqueues on Linux, on purpose: a listener works without blocking its signals first;
-- every listener of a signal gets each delivery (Linux gives it to one); each delivery counts (Linux merges
-- a signal that is already pending); signal[n] names signal n for every n, where cqueues let its feature
-- flags overwrite 1, 2, 4, 8 and 16.
local S, K = ...
require "cqueues" -- installs S.take and S.awaitable
local select, type, tonumber, tointeger = select, type, tonumber, math.tointeger
local pack, unpack = table.pack, table.unpack

local M = { SIGNALFD = 0x01, EVFILT_SIGNAL = 0x02, SIGTIMEDWAIT = 0x04, KQUEUE = 0x08, KQUEUE1 = 0x10, FEATURES = 0 }

-- Linux numbering
local names = {
  "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
  "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
  "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
  "SIGIO", "SIGPWR", "SIGSYS",
}
for n, name in ipairs(names) do
  M[name] = n
  M[n] = name
end

-- glibc's strsignal
local texts = {
  "Hangup", "Interrupt", "Quit", "Illegal instruction", "Trace/breakpoint trap", "Aborted", "Bus error",
  "Floating point exception", "Killed", "User defined signal 1", "Segmentation fault", "User defined signal 2",
  "Broken pipe", "Alarm clock", "Terminated", "Stack fault", "Child exited", "Continued", "Stopped (signal)",
  "Stopped", "Stopped (tty input)", "Stopped (tty output)", "Urgent I/O condition", "CPU time limit exceeded",
  "File size limit exceeded", "Virtual timer expired", "Profiling timer expired", "Window changed",
  "I/O possible", "Power failure", "Bad system call",
}
local SIGRTMIN, MAX = 34, 64

local function integer(fn, i, v, level)
  local n = tonumber(v)
  if n == nil then error(("bad argument #%d to '%s' (number expected, got %s)"):format(i, fn, type(v)), level + 1) end
  n = tointeger(n)
  if n == nil then error(("bad argument #%d to '%s' (number has no integer representation)"):format(i, fn), level + 1) end
  return n
end

-- The arguments of signal.<fn>(...) as signal numbers; a number out of range fails as the system would.
local function signals(fn, ...)
  local t = pack(...)
  for i = 1, t.n do
    local n = integer(fn, i, t[i], 3)
    if n < 1 or n > MAX then error(("signal.%s: Invalid argument"):format(fn), 3) end
    t[i] = n
  end
  return unpack(t, 1, t.n)
end

----------------------------------------------------------------------------------------------------------
-- Listeners

local Listener = { __name = "signal listener" }
Listener.__index = Listener
local new, live = S.awaitableclass(M, Listener, "signal listener")

function M.listen(...)
  return new(K.sig_listen(signals("listen", ...)))
end

-- One pending signal number, waiting up to `timeout` seconds for one (none: no limit); nil on timeout.
function Listener:wait(timeout)
  live(self, "wait")
  return (S.take(self, K.sig_get, S.checktimeout("wait", 1, timeout), "a signal listener"))
end

-- The polling interval cqueues uses where the system cannot poll for signals; Spindle only reports it
-- from timeout(). Returns the previous one.
function Listener:settimeout(t)
  live(self, "settimeout")
  local prev = self.tmo
  self.tmo = t ~= nil and tonumber(t) or nil
  return prev
end

function Listener:features()
  live(self, "features")
  return M.FEATURES
end

----------------------------------------------------------------------------------------------------------
-- Dispositions, raise, names

local function disposition(op)
  return function(...)
    K.sig_set(op, signals(op, ...))
    return true
  end
end
M.block = disposition("block")
M.unblock = disposition("unblock")
M.ignore = disposition("ignore")
M.discard = disposition("discard")
M.default = disposition("default")

-- Delivers each signal to the listeners of this JVM; nothing reaches the OS.
function M.raise(...)
  K.sig_raise(signals("raise", ...))
  return true
end

function M.strsignal(n)
  n = integer("strsignal", 1, n, 2)
  if texts[n] then return texts[n] end
  if n >= SIGRTMIN and n <= MAX then return ("Real-time signal %d"):format(n - SIGRTMIN) end
  return ("Unknown signal %d"):format(n)
end

local flagnames = { [0x01] = "signalfd", [0x02] = "EVFILT_SIGNAL", [0x04] = "sigtimedwait", [0x08] = "kqueue",
  [0x10] = "kqueue1" }
S.flagfunctions(M, flagnames)

return M
