-- cqueues.dns.packet: the answer to a query, as the resolver returns it. It holds records by section
-- (the question first, then the answers) and header flags; pkt:grep{section=, type=, class=, name=}
-- iterates over matching records, pkt:count([sections]) counts them, tostring(pkt) prints it as dig would.
--
-- Differences from cqueues: a packet is made from the records Netty's resolver decoded, not from the
-- wire, so it has a question and answers but no authority or additional records; sections, types and
-- classes may be given by name ("answer", "AAAA") as well as by number; packets cannot be built or edited
-- (no push, setflags, load or dump).
local S = ...
require "cqueues" -- installs S.class and S.interposer
local record = require "cqueues.dns.record"
local both = S.both
local type, tostring, tointeger, upper = type, tostring, math.tointeger, string.upper

local M = {}

M.section = both { QUESTION = 1, ANSWER = 2, AUTHORITY = 4, ADDITIONAL = 8 }
M.section.QD, M.section.AN, M.section.NS, M.section.AR = 1, 2, 4, 8
M.opcode = both { QUERY = 0, IQUERY = 1, STATUS = 2, NOTIFY = 4, UPDATE = 5 }
M.rcode = both {
  NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5, YXDOMAIN = 6, YXRRSET = 7,
  NXRRSET = 8, NOTAUTH = 9, NOTZONE = 10,
}

local ALL = 15

local Packet, check, typeof = S.class("dns packet")

-- A section mask from a number or a name (any case); `what` names the argument in errors.
local function number(v, tbl, what)
  if v == nil then return nil end
  if type(v) == "number" then return tointeger(v) or error(("%s: unknown DNS %s"):format(tostring(v), what), 3) end
  local n = tbl[v] or tbl[upper(tostring(v))]
  if type(n) ~= "number" then error(("%s: unknown DNS %s"):format(tostring(v), what), 3) end
  return n
end

function Packet:qid()
  check(self, "qid")
  return self._qid
end

function Packet:flags()
  check(self, "flags")
  local f = {}
  for k, v in pairs(self._flags) do f[k] = v end
  return f
end

-- The number of records in `sections` (a mask; all sections, the question included, by default).
function Packet:count(sections)
  check(self, "count")
  local mask = number(sections, M.section, "section") or ALL
  local n = 0
  for _, rr in ipairs(self._rr) do
    if rr._s & mask ~= 0 then n = n + 1 end
  end
  return n
end

local function lower(name)
  name = name:lower()
  if name:sub(-1) ~= "." then name = name .. "." end
  return name
end

-- An iterator over the records that match every criterion given: section (mask), type, class, name.
function Packet:grep(opts)
  check(self, "grep")
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #1 to 'grep' (table expected, got %s)"):format(type(opts)), 2)
  end
  opts = opts or {}
  local mask = number(opts.section, M.section, "section") or ALL
  if mask == 0 then mask = ALL end
  local t = number(opts.type, record.type, "type")
  local c = number(opts.class, record.class, "class")
  local name = opts.name and lower(tostring(opts.name))
  local rrs, i = self._rr, 0
  return function()
    while true do
      i = i + 1
      local rr = rrs[i]
      if rr == nil then return nil end
      if rr._s & mask ~= 0 and (not t or t == 0 or rr._t == t) and (not c or c == 0 or rr._c == c)
        and (not name or lower(rr._n) == name) then
        return rr
      end
    end
  end
end

local function named(tbl, v)
  return ("%s(%d)"):format(tbl[v] or "UNKNOWN", v)
end

function Packet:__tostring()
  local f = self._flags
  local bit = function(b) return b and 1 or 0 end
  local out = {
    ";; [HEADER]",
    (";;    qid : %d"):format(self._qid),
    (";;     qr : %s(%d)"):format(f.qr and "RESPONSE" or "QUERY", bit(f.qr)),
    (";; opcode : %s"):format(named(M.opcode, f.opcode)),
    (";;     aa : %s(%d)"):format(f.aa and "AUTHORITATIVE" or "NON-AUTHORITATIVE", bit(f.aa)),
    (";;     tc : %s(%d)"):format(f.tc and "TRUNCATED" or "NOT-TRUNCATED", bit(f.tc)),
    (";;     rd : %s(%d)"):format(f.rd and "RECURSION-DESIRED" or "RECURSION-NOT-DESIRED", bit(f.rd)),
    (";;     ra : %s(%d)"):format(f.ra and "RECURSION-ALLOWED" or "RECURSION-NOT-ALLOWED", bit(f.ra)),
    (";;  rcode : %s"):format(named(M.rcode, f.rcode)),
  }
  for _, sec in ipairs { 1, 2, 4, 8 } do
    local n = self:count(sec)
    if n > 0 then
      out[#out + 1] = ""
      out[#out + 1] = (";; [%s:%d]"):format(M.section[sec], n)
      for rr in self:grep { section = sec } do
        local t, c = record.type[rr._t] or tostring(rr._t), record.class[rr._c] or tostring(rr._c)
        if sec == 1 then
          out[#out + 1] = (";%s %s %s"):format(rr._n, c, t)
        else
          out[#out + 1] = ("%s %d %s %s %s"):format(rr._n, rr._ttl, c, t, tostring(rr))
        end
      end
    end
  end
  return table.concat(out, "\n") .. "\n"
end

local function new(rrs, flags)
  return setmetatable({ _rr = rrs, _qid = math.random(0, 0xffff), _flags = flags }, Packet)
end

-- An empty packet (cqueues' packet.new; the size argument is accepted and ignored).
function M.new()
  return new({}, { qr = false, opcode = 0, aa = false, tc = false, rd = false, ra = false, z = 0, rcode = 0 })
end

-- The answer to question (name, type, class): `list` holds { name, type, class, ttl, data... } records.
function S.dns_packet(name, t, c, list)
  if name:sub(-1) ~= "." then name = name .. "." end
  local rrs = { S.dns_record(1, name, t, c, 0, {}) }
  for i, r in ipairs(list) do
    rrs[i + 1] = S.dns_record(2, r[1], r[2], r[3], r[4], table.move(r, 5, #r, 1, {}))
  end
  return new(rrs, { qr = true, opcode = 0, aa = false, tc = false, rd = true, ra = true, z = 0, rcode = 0 })
end

M.type = typeof

M.interpose = S.interposer(Packet)

return M
