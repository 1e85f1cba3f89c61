-- openssl.x509.altname: subject alternative names (luaossl's subset; docs/tls.md).
local _, _, O = ...
local AltName, Name = O.altname, O.name
local methods = AltName.methods

local M = O.module(AltName, "x509.altname", "alt_new")

-- add(type, value): "DNS", "IP" (a literal, never looked up), "email", "URI", or "DirName" with an
-- openssl.x509.name. Returns the altname.
function methods:add(ty, value)
  local h = O.check(AltName, self, 0, "add")
  O.arg(ty, "string", 1, "add")
  if ty == "DirName" then
    O.call("altname:add", "alt_add_dirname", h, O.check(Name, value, 2, "add"))
  else
    O.call("altname:add", "alt_add", h, ty, O.arg(value, "string", 2, "add"))
  end
  return self
end

-- Iterates (type, text): type is "DNS", "IP", "email", "URI" or "DirName".
AltName.__pairs = function(self)
  local flat, i = O.call("altname:__pairs", "alt_flat", O.check(AltName, self, 0, "__pairs")), -1
  return function()
    i = i + 2
    if flat[i] then return flat[i], flat[i + 1] end
  end
end

AltName.__tostring = function(self)
  local parts = {}
  for ty, v in pairs(self) do parts[#parts + 1] = ty .. ":" .. v end
  return table.concat(parts, ", ")
end

return M
