-- Run in the background by script_spec.lua: its unwind function sets a flag when it fails.
local script, session = require "script", require "session"
script.on_unwind(function() session.set("unwind", "flag", 1) end)
error("fails after registering an unwind function")
