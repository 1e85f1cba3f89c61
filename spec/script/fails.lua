-- Run in the background by script_spec.lua.
error("background failure")
