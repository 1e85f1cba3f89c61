-- Run in the background by session_spec.lua: increments a shared counter N times.
local session = require "session"
for _ = 1, (...) do session.increment("shared", "hits") end
