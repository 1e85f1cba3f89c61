-- openssl.pkey: RSA and EC key pairs, or public keys alone (luaossl's subset; docs/tls.md).
local _, _, O = ...
local type = type
local Pkey = O.pkey
local methods = Pkey.methods

local M = O.module(Pkey, "pkey")

-- new{type=, bits=, exp=, curve=} generates a key pair (RSA 2048 by default, EC on prime256v1 by default);
-- new(string[, format]) reads a PEM or DER key.
function M.new(arg, format)
  local h
  if arg == nil or type(arg) == "table" then
    local t = arg or {}
    local ty = O.arg(t.type, "string", 1, "pkey.new", true) or "RSA"
    O.arg(t.bits, "number", 1, "pkey.new", true)
    O.arg(t.exp, "number", 1, "pkey.new", true)
    O.arg(t.curve, "string", 1, "pkey.new", true)
    h = O.call("pkey.new", "pkey_generate", ty, t.bits and math.tointeger(t.bits), t.exp and math.tointeger(t.exp), t.curve)
  else
    O.arg(arg, "string", 1, "pkey.new")
    O.arg(format, "string", 2, "pkey.new", true)
    h = O.call("pkey.new", "pkey_parse", arg)
  end
  return O.wrap(Pkey, h)
end

local WHICH = { public = "public", PublicKey = "public", private = "private", PrivateKey = "private" }

-- toPEM(which[, which]): "public"/"PublicKey" or "private"/"PrivateKey", one result per argument.
function methods:toPEM(...)
  local h = O.check(Pkey, self, 0, "toPEM")
  local n = select("#", ...)
  if n == 0 then O.argerror(1, "toPEM", "'public' or 'private' expected, got no value") end
  local out = {}
  for i = 1, n do
    local w = WHICH[select(i, ...)]
    if not w then O.argerror(i, "toPEM", "'public' or 'private' expected, got " .. tostring((select(i, ...)))) end
    out[i] = O.call("pkey:toPEM", "pkey_pem", h, w)
  end
  return table.unpack(out, 1, n)
end

-- OpenSSL's name of the key type: "rsaEncryption" or "id-ecPublicKey".
function methods:type()
  return (O.call("pkey:type", "pkey_type", O.check(Pkey, self, 0, "type")))
end

Pkey.__tostring = function(self) return self:toPEM("public") end

return M
