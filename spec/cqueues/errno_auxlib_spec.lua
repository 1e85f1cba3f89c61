-- cqueues.errno and cqueues.auxlib.
local spec = require "spindle.spec"
local errno = require "cqueues.errno"
local auxlib = require "cqueues.auxlib"
local it, eq, raises = spec.it, spec.eq, spec.raises

it("errno maps names to Linux numbers and back; EWOULDBLOCK is an alias", function()
  eq(errno.EAGAIN, 11)
  eq(errno.EPIPE, 32)
  eq(errno.ETIMEDOUT, 110)
  eq(errno.ECONNREFUSED, 111)
  eq(errno.ECONNRESET, 104)
  eq(errno.EBADF, 9)
  eq(errno[110], "ETIMEDOUT")
  eq(errno.EWOULDBLOCK, 11)
  eq(errno[11], "EAGAIN")
end)

it("strerror covers system, DNS and socket codes", function()
  eq(errno.strerror(110), "Connection timed out")
  eq(errno.strerror(99999), "Unknown error: 99999")
  eq(errno.strerror(errno.DNS_ENONAME), "The name does not resolve for the supplied parameters")
  eq(errno.DNS_ENONAME < 0, true)
  raises("bad argument #1 to 'strerror'", errno.strerror, "x")
end)

it("auxlib.assert raises the first error value, an integer through strerror", function()
  eq(auxlib.assert(1, 2), 1)
  raises("Connection timed out", auxlib.assert, nil, nil, 110)
  raises("plain", auxlib.assert, false, "plain")
end)

it("auxlib.fileresult turns an errno into a message", function()
  local v, msg, code = auxlib.fileresult(false, nil, errno.EPERM)
  eq(v, false)
  eq(msg, "Operation not permitted")
  eq(code, 1)
  v, msg = auxlib.fileresult(nil, "msg")
  eq(msg, "msg")
  eq(auxlib.fileresult(1, 2), 1)
end)

it("auxlib.wrap re-raises unchanged and passes polls up", function()
  local cqueues = require "cqueues"
  local e = {}
  local f = auxlib.wrap(function() error(e) end)
  local ok, err = pcall(f)
  eq(ok, false)
  eq(err, e)
  local g = auxlib.wrap(function() cqueues.sleep(0.001); coroutine.yield("a"); return "b" end)
  eq(g(), "a")
  eq(g(), "b")
end)

it("auxlib.tostring uses __tostring", function()
  eq(auxlib.tostring(setmetatable({}, { __tostring = function() return "T" end })), "T")
  eq(auxlib.tostring(12), "12")
end)
return spec.run()
