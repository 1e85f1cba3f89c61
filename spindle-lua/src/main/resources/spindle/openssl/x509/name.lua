-- openssl.x509.name: distinguished names (luaossl's subset; docs/tls.md).
local _, _, O = ...
local Name = O.name
local methods = Name.methods

local M = O.module(Name, "x509.name", "name_new")

-- add(type, value): type is a short or long name ("CN", "commonName") or a dotted OID. Returns the name.
function methods:add(ty, value)
  local h = O.check(Name, self, 0, "add")
  O.arg(ty, "string", 1, "add")
  O.arg(value, "string", 2, "add")
  O.call("name:add", "name_add", h, ty, value)
  return self
end

-- all(): { { sn =, ln =, id =, blob = }, ... } in order.
function methods:all()
  local n, flat = O.call("name:all", "name_flat", O.check(Name, self, 0, "all"))
  local out = {}
  for i = 1, n, 4 do
    out[#out + 1] = { sn = flat[i], ln = flat[i + 1], id = flat[i + 2], blob = flat[i + 3] }
  end
  return out
end

-- each(): an iterator of (short name, or long name, or OID), value.
function methods:each()
  local all, i = self:all(), 0
  return function()
    i = i + 1
    local e = all[i]
    if e then return e.sn or e.ln or e.id, e.blob end
  end
end

Name.__pairs = function(self) return self:each() end
Name.__tostring = O.getter(Name, "name", "__tostring", "name_string")

return M
