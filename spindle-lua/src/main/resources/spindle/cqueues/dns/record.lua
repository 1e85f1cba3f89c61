-- cqueues.dns.record: the resource records of DNS answers, one class per type as in cqueues (A and AAAA
-- have addr, NS, CNAME and PTR host, MX preference and host, SRV priority, weight, port and target, SOA its
-- seven fields, TXT and SPF data, any other type rdata), and the type and class tables, which map names to
-- numbers and numbers back to names. record.type(x) is "dns record" for a record, else nil.
--
-- Records are made by the resolver (S.dns_record); a script only reads them.
local S = ...
local concat, type, tostring = table.concat, type, tostring

local M = {}

local QUESTION = 1

-- A table of names to numbers, with the numbers mapped back to the names.
local function both(t)
  local out = {}
  for k, v in pairs(t) do out[k], out[v] = v, k end
  return out
end
S.both = both

local classes = {} -- metatables of records, to tell a record

M.type = setmetatable(both {
  A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, OPT = 41, SSHFP = 44,
  SPF = 99, ALL = 255,
}, {
  __call = function(_, x)
    if classes[getmetatable(x)] then return "dns record" end
    return nil
  end,
})
M.class = both { IN = 1, ANY = 255 }
M.sshfp = { RSA = 1, DSA = 2, SHA1 = 1 }

-- The methods every record has.
local base = {}
function base:section() return self._s end
function base:name() return self._n end
function base:type() return self._t end
function base:class() return self._c end
function base:ttl() return self._ttl end

-- A record class: the base methods, `methods`, and a __tostring that is empty for a question.
local function class(methods, text)
  local index = {}
  for k, f in pairs(base) do index[k] = f end
  for k, f in pairs(methods) do index[k] = f end
  local mt = { __name = "dns record", __index = index }
  function mt.__tostring(rr)
    if rr._s == QUESTION then return "" end
    return text(rr)
  end
  classes[mt] = true
  return mt
end

-- The i-th data field, "" when absent (a question has none).
local function field(i)
  return function(self)
    local v = self._d[i]
    if v == nil then return "" end
    return v
  end
end

local first = field(1)

-- TXT text as cqueues prints it: each character-string quoted, unprintable bytes and quotes as \ddd.
local function quoted(rr)
  local parts = {}
  for i, s in ipairs(rr._d) do
    parts[i] = '"' .. s:gsub('[%c\128-\255"\\]', function(c) return ("\\%03d"):format(c:byte()) end) .. '"'
  end
  return concat(parts, " ")
end

local function joined(rr)
  local parts = {}
  for i, v in ipairs(rr._d) do parts[i] = tostring(v) end
  return concat(parts, " ")
end

local function data(self)
  return concat(self._d)
end

local address = class({ addr = first }, first)
local host = class({ host = first }, first)
local kinds = {
  [M.type.A] = address,
  [M.type.AAAA] = address,
  [M.type.NS] = host,
  [M.type.CNAME] = host,
  [M.type.PTR] = host,
  [M.type.MX] = class({ preference = field(1), host = field(2) }, joined),
  [M.type.SRV] = class({ priority = field(1), weight = field(2), port = field(3), target = field(4) }, joined),
  [M.type.SOA] = class({ mname = field(1), rname = field(2), serial = field(3), refresh = field(4),
    retry = field(5), expire = field(6), minimum = field(7) }, joined),
  [M.type.TXT] = class({ data = data }, quoted),
  [M.type.SPF] = class({ data = data, policy = data }, quoted),
}
local any = class({ rdata = first }, first)

-- A record of section `section`: owner name, type, class, ttl and the data fields of its type.
function S.dns_record(section, name, t, c, ttl, fields)
  return setmetatable({ _s = section, _n = name, _t = t, _c = c, _ttl = ttl, _d = fields }, kinds[t] or any)
end

return M
