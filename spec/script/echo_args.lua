-- Run in the background by script_spec.lua: describes the copied arguments in the session store.
local session, script = require "session", require "script"
local key, t, f = ...
local kinds = {}
for _, v in ipairs(t.list) do kinds[#kinds + 1] = math.type(v) or type(v) end
if t.self == t then kinds[#kinds + 1] = "cycle" end
if f then kinds[#kinds + 1] = tostring(f(41)) end
if script.in_background() then kinds[#kinds + 1] = "bg" end
session.set("echo", key, table.concat(kinds, " "))
