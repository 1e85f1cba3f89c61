-- The Lua state scripts get: standard libraries, no Java reflection, no native modules, require paths.
local spec = require "spindle.spec"
local it, eq, raises = spec.it, spec.eq, spec.raises

it("has Lua 5.4's standard libraries", function()
  eq(_VERSION, "Lua 5.4")
  for _, name in ipairs { "string", "table", "math", "io", "os", "utf8", "debug", "coroutine", "package" } do
    eq(type(_G[name]), "table", name)
  end
  eq(math.type(3 // 2), "integer")
end)

it("does not expose luajava's java module", function()
  eq(java, nil)
  eq(package.loaded.java, nil)
  raises("module 'java' not found", require, "java")
end)

it("cannot load native C modules", function()
  eq(package.loadlib, nil)
  eq(package.cpath, "")
  eq(#package.searchers, 3)
end)

it("finds modules in the script's directory", function()
  local m, where = require "helper_module"
  eq(m.answer, 42)
  eq(where:find("helper_module.lua", 1, true) ~= nil, true)
  eq(require "helper_module", m, "cached in package.loaded")
end)

it("finds Spindle's own modules on the class path", function()
  eq(type(require("spindle.spec").it), "function")
  raises("module 'no.such.module' not found", require, "no.such.module")
end)

it("arg holds the script name at 0", function()
  eq(type(arg), "table")
  eq(arg[0]:find("sandbox_spec.lua", 1, true) ~= nil, true)
end)

return spec.run()
