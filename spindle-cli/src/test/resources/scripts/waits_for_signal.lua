-- Registers an unwind function that leaves a mark in a file, says it is ready, then waits forever.
local script = require "script"
local mark = ...
script.on_unwind(function()
  local f = assert(io.open(mark, "w"))
  f:write("unwound")
  f:close()
end)
print("ready")
while true do require("stdnse").sleep(1) end
