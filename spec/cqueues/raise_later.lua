-- Helper for signal_spec: a background script (its own Lua state and reactor) that raises a signal later.
local signal = require "cqueues.signal"
local sig, delay = ...
require("stdnse").sleep(delay)
signal.raise(sig)
