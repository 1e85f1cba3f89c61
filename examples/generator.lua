-- Blocking inside a script's own coroutine: a generator that sleeps between values still yields
-- them to its consumer, while other threads keep running.
--
--   bin/spindle run examples/generator.lua
local stdnse = require "stdnse"

local ticks = 0
stdnse.new_thread(function()
  while true do stdnse.sleep(0.01); ticks = ticks + 1 end
end)

local function countdown(n)
  return coroutine.wrap(function()
    for i = n, 1, -1 do
      stdnse.sleep(0.05)
      coroutine.yield(i)
    end
  end)
end

for i in countdown(3) do print(i) end
print(("liftoff; the ticker ticked %d times while the generator slept"):format(ticks))
