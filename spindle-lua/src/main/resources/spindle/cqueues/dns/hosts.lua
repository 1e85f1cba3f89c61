-- cqueues.dns.hosts: a hosts table for resolvers: files to read (hosts:loadpath), and entries added by
-- hand (hosts:insert(ip, name[, alias])). hosts.new() is empty; hosts.stub() holds the system's hosts file.
-- The resolver reads the files when it is made; the first name on a line is canonical, the others aliases.
local S = ...
require "cqueues.dns.config" -- installs S.dns_literal
local type, tostring = type, tostring

local M = {}

local Hosts, check, typeof = S.class("dns hosts")

-- Adds a hosts file by path: true, or false and an errno if it cannot be read.
function Hosts:loadpath(path)
  check(self, "loadpath")
  local f, _, code = io.open(tostring(path), "r")
  if not f then return false, code end
  f:close()
  self._files[#self._files + 1] = tostring(path)
  return true
end

-- Adds the entries of an open hosts file.
function Hosts:loadfile(file)
  check(self, "loadfile")
  for line in file:lines() do
    local words = {}
    for w in line:gsub("#.*", ""):gmatch("%S+") do words[#words + 1] = w end
    if #words >= 2 and pcall(S.dns_literal, words[1], 1) then
      for i = 2, #words do self._entries[#self._entries + 1] = { words[1], words[i], i > 2 } end
    end
  end
  return true
end

function Hosts:insert(ip, name, alias)
  check(self, "insert")
  S.dns_literal(ip, 2)
  if type(name) ~= "string" then error(("bad argument #2 to 'insert' (string expected, got %s)"):format(type(name)), 2) end
  self._entries[#self._entries + 1] = { ip, name, alias and true or false }
  return true
end

function Hosts:__tostring()
  local out = {}
  for _, f in ipairs(self._files) do out[#out + 1] = "# " .. f end
  for _, e in ipairs(self._entries) do out[#out + 1] = ("%s\t%s%s"):format(e[1], e[2], e[3] and "\t# alias" or "") end
  return table.concat(out, "\n") .. "\n"
end

function M.new()
  return setmetatable({ _files = {}, _entries = {} }, Hosts)
end

function M.stub()
  local h = M.new()
  h:loadpath("/etc/hosts")
  return h
end

function M.loadpath(path)
  local h = M.new()
  local ok, code = h:loadpath(path)
  if not ok then return nil, code end
  return h
end

function M.loadfile(file)
  local h = M.new()
  h:loadfile(file)
  return h
end

M.type = typeof

M.interpose = S.interposer(Hosts)

-- What the resolver is told: { files = {...}, entries = {{ip, name, alias}...} }.
function S.dns_hosts(h)
  return { files = h._files, entries = h._entries }
end

return M
