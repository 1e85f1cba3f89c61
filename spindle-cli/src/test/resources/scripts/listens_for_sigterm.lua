-- Listens for SIGTERM, says it is ready, and when the signal comes says so and ends normally (status 0):
-- the signal goes to the script instead of stopping the run.
local signal = require "cqueues.signal"
local sl = signal.listen(signal.SIGTERM)
print("ready")
local sig = sl:wait()
print("got " .. signal[sig])
