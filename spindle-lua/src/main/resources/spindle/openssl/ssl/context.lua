-- openssl.ssl.context: TLS contexts for so:starttls (luaossl's subset; docs/tls.md).
--
-- Unlike luaossl and cqueues, a client context verifies the peer by default: its chain against the JVM's
-- trust store (or the store set with setStore) and its host name. setVerify(context.VERIFY_NONE) turns
-- that off. The handle of a context is a dev.spindle.kernel.net.TlsContext, which sockets use.
local _, _, O = ...
require "openssl.x509.store"
local Context, X509, Pkey, Store = O.context, O.x509, O.pkey, O.store
local type, mtype, setmetatable = type, math.type, setmetatable
local methods = Context.methods

local M = O.module(Context, "context", nil, {
  VERIFY_NONE = 0, VERIFY_PEER = 1, VERIFY_FAIL_IF_NO_PEER_CERT = 2, VERIFY_CLIENT_ONCE = 4,
})

-- What Lua keeps per context: the certificate, key and store set (for the getters) and the depth.
local kept = setmetatable({}, { __mode = "k" })

-- new([protocol[, server]]): protocol "TLS" (default; also "SSLv23", "SSL"), "TLSv1.2" or "TLSv1.3".
function M.new(protocol, server)
  O.arg(protocol, "string", 1, "context.new", true)
  O.arg(server, "boolean", 2, "context.new", true)
  local ctx = O.wrap(Context, O.call("context.new", "ctx_new", protocol, server or false))
  kept[ctx] = { depth = -1 }
  return ctx
end

local function self_h(self, fname)
  return O.check(Context, self, 0, fname)
end

local function keep(field)
  return function(self, v) kept[self][field] = v end
end

methods.setCertificate = O.setter(Context, "context", "setCertificate", "ctx_set_cert", X509, keep("certificate"))
methods.setPrivateKey = O.setter(Context, "context", "setPrivateKey", "ctx_set_key", Pkey, keep("key"))

function methods:getCertificate()
  self_h(self, "getCertificate")
  return kept[self].certificate
end

-- setStore(store): trust exactly the store's certificates (instead of the JVM's), including ones added
-- to it later.
function methods:setStore(store)
  local h = self_h(self, "setStore")
  local k = kept[self]
  local old = k.store
  O.call("context:setStore", "ctx_set_store", h, O.check(Store, store, 1, "setStore"), old and old.h)
  k.store = store
  return true
end

function methods:getStore()
  self_h(self, "getStore")
  return kept[self].store
end

-- setVerify([mode][, depth]): OpenSSL's mode bits; nil leaves either unchanged. The depth is kept for
-- getVerify but not enforced (the JDK's own path limits apply).
function methods:setVerify(mode, depth)
  local h = self_h(self, "setVerify")
  if mode ~= nil and mtype(mode) ~= "integer" then
    O.argerror(1, "setVerify", "integer expected, got " .. O.typename(mode))
  end
  if depth ~= nil and mtype(depth) ~= "integer" then
    O.argerror(2, "setVerify", "integer expected, got " .. O.typename(depth))
  end
  if mode ~= nil then O.call("context:setVerify", "ctx_set_verify", h, mode) end
  if depth ~= nil then kept[self].depth = depth end
  return true
end

-- getVerify(): mode, depth. A new client context says VERIFY_PEER, a server VERIFY_NONE; depth -1 (unset).
function methods:getVerify()
  local mode = O.call("context:getVerify", "ctx_get_verify", self_h(self, "getVerify"))
  return mode, kept[self].depth
end

-- Spindle's own: whether a verifying client checks the server's host name (default true). Without a host
-- name to check (a socket pair), a checking client fails the handshake.
methods.setHostnameCheck = O.setter(Context, "context", "setHostnameCheck", "ctx_set_hostcheck", "boolean")
methods.getHostnameCheck = O.getter(Context, "context", "getHostnameCheck", "ctx_get_hostcheck")

return M
