-- openssl.x509: certificates to read, build and sign (luaossl's subset; docs/tls.md).
--
-- A certificate is mutable; any change drops its signature, so sign() comes after the last change and
-- toPEM() before any sign() raises.
local _, _, O = ...
require "openssl.pkey"
require "openssl.x509.name"
require "openssl.x509.altname"
local X509, Name, AltName, Pkey = O.x509, O.name, O.altname, O.pkey
local type, mtype = type, math.type
local methods = X509.methods

local M = O.module(X509, "x509")

-- new(): an empty certificate (random serial, valid for 365 days from now); new(string[, format]): a PEM or
-- DER certificate.
function M.new(pem, format)
  if pem == nil then return O.wrap(X509, O.call("x509.new", "x509_new")) end
  O.arg(pem, "string", 1, "x509.new")
  O.arg(format, "string", 2, "x509.new", true)
  return O.wrap(X509, O.call("x509.new", "x509_parse", pem))
end

local function self_h(self, fname)
  return O.check(X509, self, 0, fname)
end

methods.toPEM = O.getter(X509, "x509", "toPEM", "x509_pem")
X509.__tostring = function(self) return self:toPEM() end
methods.getVersion = O.getter(X509, "x509", "getVersion", "x509_version")

for _, which in ipairs { "Subject", "Issuer" } do
  methods["get" .. which] = O.getter(X509, "x509", "get" .. which, "x509_get_name", Name, which:lower())
  methods["set" .. which] = O.setter(X509, "x509", "set" .. which, "x509_set_name", Name, nil, which:lower())
end

-- The subjectAltName names as an openssl.x509.altname, or nil if the certificate has none.
methods.getSubjectAlt = O.getter(X509, "x509", "getSubjectAlt", "x509_get_alt", AltName)
methods.setSubjectAlt = O.setter(X509, "x509", "setSubjectAlt", "x509_set_alt", AltName)

function methods:getSubjectAltCritical()
  local _, critical = O.call("x509:getSubjectAltCritical", "x509_get_alt", self_h(self, "getSubjectAltCritical"))
  return critical or false
end

methods.setSubjectAltCritical = O.setter(X509, "x509", "setSubjectAltCritical", "x509_set_alt_critical", "boolean")
methods.getPublicKey = O.getter(X509, "x509", "getPublicKey", "x509_get_pubkey", Pkey)
methods.setPublicKey = O.setter(X509, "x509", "setPublicKey", "x509_set_pubkey", Pkey)

-- The serial number: an integer, or a decimal string when it does not fit in 63 bits.
methods.getSerial = O.getter(X509, "x509", "getSerial", "x509_get_serial")

-- setSerial(n): a non-negative integer, or a decimal (or 0x-prefixed hexadecimal) string.
function methods:setSerial(n)
  local h = self_h(self, "setSerial")
  if mtype(n) ~= "integer" and type(n) ~= "string" then
    O.argerror(1, "setSerial", "integer or string expected, got " .. O.typename(n))
  end
  O.call("x509:setSerial", "x509_set_serial", h, n)
  return true
end

-- Validity as Unix times (seconds).
function methods:getLifetime()
  return O.call("x509:getLifetime", "x509_get_lifetime", self_h(self, "getLifetime"))
end

function methods:setLifetime(before, after)
  local h = self_h(self, "setLifetime")
  O.arg(before, "number", 1, "setLifetime", true)
  O.arg(after, "number", 2, "setLifetime", true)
  O.call("x509:setLifetime", "x509_set_lifetime", h, before, after)
  return true
end

methods.setNotBefore = O.setter(X509, "x509", "setNotBefore", "x509_set_lifetime", "number", nil, nil)

function methods:setNotAfter(t)
  local h = self_h(self, "setNotAfter")
  O.call("x509:setNotAfter", "x509_set_lifetime", h, nil, O.arg(t, "number", 1, "setNotAfter"))
  return true
end

-- getBasicConstraints(): { CA =, pathLen = }; getBasicConstraints("CA", "pathLen", ...): those values.
function methods:getBasicConstraints(...)
  local ca, pathLen = O.call("x509:getBasicConstraints", "x509_get_bc", self_h(self, "getBasicConstraints"))
  local n = select("#", ...)
  if n == 0 then return { CA = ca or false, pathLen = pathLen } end
  local out = {}
  for i = 1, n do
    local w = select(i, ...)
    if w == "CA" then out[i] = ca or false
    elseif w == "pathLen" or w == "pathLenConstraint" then out[i] = pathLen
    else O.argerror(i, "getBasicConstraints", "'CA' or 'pathLen' expected, got " .. tostring(w)) end
  end
  return table.unpack(out, 1, n)
end

-- setBasicConstraints{ CA = boolean, pathLen = integer }
function methods:setBasicConstraints(t)
  local h = self_h(self, "setBasicConstraints")
  O.arg(t, "table", 1, "setBasicConstraints")
  O.arg(t.CA, "boolean", 1, "setBasicConstraints", true)
  local pathLen = t.pathLen or t.pathLenConstraint
  if pathLen ~= nil and mtype(pathLen) ~= "integer" then
    O.argerror(1, "setBasicConstraints", "pathLen: integer expected, got " .. O.typename(pathLen))
  end
  O.call("x509:setBasicConstraints", "x509_set_bc", h, t.CA or false, pathLen)
  return true
end

function methods:getBasicConstraintsCritical()
  local _, _, critical = O.call("x509:getBasicConstraintsCritical", "x509_get_bc", self_h(self, "getBasicConstraintsCritical"))
  return critical
end

methods.setBasicConstraintsCritical =
  O.setter(X509, "x509", "setBasicConstraintsCritical", "x509_set_bc_critical", "boolean")

-- sign(key[, digest]): signs with key's private half; digest "sha256" by default (luaossl: sha1).
function methods:sign(key, digest)
  local h = self_h(self, "sign")
  local k = O.check(Pkey, key, 1, "sign")
  O.call("x509:sign", "x509_sign", h, k, O.arg(digest, "string", 2, "sign", true))
  return true
end

-- digest([type[, format]]): of the DER certificate; type "sha1" by default; format "x" (hex, default)
-- or "s" (raw bytes).
function methods:digest(ty, format)
  local h = self_h(self, "digest")
  O.arg(ty, "string", 1, "digest", true)
  O.arg(format, "string", 2, "digest", true)
  if format ~= nil and format ~= "x" and format ~= "s" then
    O.argerror(2, "digest", "'x' or 's' expected, got '" .. format .. "'")
  end
  local raw = O.call("x509:digest", "x509_digest", h, ty or "sha1")
  if format == "s" then return raw end
  return (raw:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

return M
