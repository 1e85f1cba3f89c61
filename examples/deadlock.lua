-- Two threads take two mutexes in opposite order. Spindle notices that nothing can wake either of
-- them, prints who waits on what, and exits with status 3 instead of hanging.
--
--   bin/spindle run examples/deadlock.lua; echo "exit status $?"
local stdnse = require "stdnse"
local nmap = require "nmap"

local a, b = nmap.mutex("account A"), nmap.mutex("account B")

stdnse.new_thread(function()
  b "lock"
  stdnse.sleep(0.01)
  a "lock" -- waits for main forever
end)

a "lock"
stdnse.sleep(0.01)
b "lock" -- waits for the worker forever
