-- openssl.x509.store: trusted certificates (luaossl's subset; docs/tls.md).
local _, _, O = ...
require "openssl.x509"
local Store, X509 = O.store, O.x509
local methods = Store.methods

local M = O.module(Store, "x509.store", "store_new")

-- add(x509 | path): a certificate, every certificate in a PEM file, or in each PEM file of a directory.
-- Contexts already using the store trust what is added. Returns the store.
function methods:add(v)
  local h = O.check(Store, self, 0, "add")
  if type(v) == "string" then
    O.call("store:add", "store_add_path", h, v)
  elseif getmetatable(v) == X509 then
    O.call("store:add", "store_add", h, v.h)
  else
    O.argerror(1, "add", "x509 certificate or path expected, got " .. O.typename(v))
  end
  return self
end

return M
