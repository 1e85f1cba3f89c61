-- Helper for threading_spec: main returns at once; its non-daemon thread finishes the work later, its
-- daemon thread never does.
local threading = require "threading"
local stdnse = require "stdnse"
local session = require "session"
local key = ...
threading.Thread { target = function() stdnse.sleep(0.02); session.set(key, "non-daemon", "done") end }:start()
threading.Thread { target = function() stdnse.sleep(10); session.set(key, "daemon", "done") end, daemon = true }:start()
