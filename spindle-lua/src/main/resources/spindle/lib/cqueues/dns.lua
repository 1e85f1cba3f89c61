-- cqueues.dns: queries through a shared pool of stub resolvers (the system's resolv.conf and hosts file,
-- made on first use). dns.query(name[, type][, class][, timeout]) returns a packet, or nil and an errno.
local resolvers = require "cqueues.dns.resolvers"

local M = {}

local pool

function M.getpool()
  if not pool then pool = resolvers.stub() end
  return pool
end

-- Replaces the pool; returns the previous one (nil if none was made yet).
function M.setpool(p)
  if not resolvers.type(p) then
    error(("bad argument #1 to 'setpool' (dns resolver pool expected, got %s)"):format(type(p)), 2)
  end
  local old = pool
  pool = p
  return old
end

function M.query(name, t, c, timeout)
  return M.getpool():query(name, t, c, timeout)
end

-- A random integer in [0, n) (n defaults to 2^32), as cqueues' dns.random.
function M.random(n)
  return math.random(0, (n or 0x100000000) - 1)
end

return M
