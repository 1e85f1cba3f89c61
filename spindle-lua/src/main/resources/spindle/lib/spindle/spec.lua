-- A small spec helper for Lua files run through Spindle: register cases with it(), run them with run().
--
--   local spec = require "spindle.spec"
--   spec.it("adds", function() spec.eq(1 + 1, 2) end)
--   return spec.run()
--
-- Each case runs in the calling script thread, under xpcall, so it may block. run() returns a table
-- { passed = n, failed = n, cases = { { name =, ok =, err = }, ... } } that Spindle's spec runner reads.
local M = {}
local cases = {}

function M.it(name, fn)
  if type(name) ~= "string" then error("bad argument #1 to 'it' (string expected, got " .. type(name) .. ")", 2) end
  if type(fn) ~= "function" then error("bad argument #2 to 'it' (function expected, got " .. type(fn) .. ")", 2) end
  cases[#cases + 1] = { name = name, fn = fn }
end

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

-- Fails unless a == b (raw equality, with integer/float distinction kept out of the way).
function M.eq(actual, expected, what)
  if actual ~= expected then
    error(("%sexpected %s, got %s"):format(what and (what .. ": ") or "", show(expected), show(actual)), 2)
  end
end

-- Fails unless fn(...) raises an error whose text contains `pattern` (plain match); returns the error.
function M.raises(pattern, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected an error matching '" .. pattern .. "', got none", 2) end
  if pattern and not tostring(err):find(pattern, 1, true) then
    error(("expected an error matching '%s', got: %s"):format(pattern, tostring(err)), 2)
  end
  return err
end

-- Compares two array-like tables element by element.
function M.same(actual, expected, what)
  local function flat(t)
    local parts = {}
    for i = 1, #t do parts[i] = show(t[i]) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  if type(actual) ~= "table" or flat(actual) ~= flat(expected) then
    error(("%sexpected %s, got %s"):format(what and (what .. ": ") or "",
      flat(expected), type(actual) == "table" and flat(actual) or show(actual)), 2)
  end
end

-- Waits until every worker whose stdnse status function is in `statuses` has ended.
function M.join(statuses)
  local sleep = require("stdnse").sleep
  for _, st in ipairs(statuses) do
    while st() ~= "dead" do sleep(0.001) end
  end
end

function M.run()
  local out = { passed = 0, failed = 0, cases = {} }
  for _, c in ipairs(cases) do
    local ok, err = xpcall(c.fn, debug.traceback)
    out.cases[#out.cases + 1] = { name = c.name, ok = ok, err = (not ok) and tostring(err) or nil }
    if ok then out.passed = out.passed + 1 else out.failed = out.failed + 1 end
  end
  cases = {}
  return out
end

return M
