-- Test certificates made in Lua with the openssl.* modules: a self-signed certificate for localhost, and
-- the contexts a TLS round trip needs. For specs: `local testcerts = require "testcerts"`.
local pkey = require "openssl.pkey"
local x509 = require "openssl.x509"
local name = require "openssl.x509.name"
local altname = require "openssl.x509.altname"
local store = require "openssl.x509.store"
local context = require "openssl.ssl.context"

-- The modules, for specs that use them too.
local M = { pkey = pkey, x509 = x509, name = name, altname = altname, store = store, context = context }

-- A new EC key and a self-signed CA certificate for `cn` (default "localhost") naming the DNS names and
-- IP addresses given (default DNS:localhost and IP:127.0.0.1), valid from an hour ago for a day.
function M.selfsigned(cn, dns, ips)
  cn = cn or "localhost"
  local key = pkey.new { type = "EC", curve = "prime256v1" }
  local dn = name.new():add("CN", cn)
  local alt = altname.new()
  for _, d in ipairs(dns or { "localhost" }) do alt:add("DNS", d) end
  for _, ip in ipairs(ips or { "127.0.0.1" }) do alt:add("IP", ip) end
  local crt = x509.new()
  crt:setSubject(dn)
  crt:setIssuer(dn)
  crt:setSubjectAlt(alt)
  crt:setPublicKey(key)
  crt:setBasicConstraints { CA = true }
  crt:setBasicConstraintsCritical(true)
  local now = os.time()
  crt:setLifetime(now - 3600, now + 86400)
  crt:sign(key)
  return key, crt
end

-- A server context presenting a fresh self-signed certificate for localhost, and a client context that
-- trusts it (verifying, host-name checking). Also returns the key and certificate.
function M.contexts()
  local key, crt = M.selfsigned()
  local server = context.new("TLS", true)
  server:setCertificate(crt)
  server:setPrivateKey(key)
  local client = context.new("TLS", false)
  client:setStore(store.new():add(crt))
  return server, client, key, crt
end

return M
