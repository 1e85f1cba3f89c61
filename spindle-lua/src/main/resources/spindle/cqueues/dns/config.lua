-- cqueues.dns.config: a resolver configuration (resolv.conf's content): name servers, search domains,
-- lookup order and options. config.new{nameserver = {"127.0.0.1", "[::1]:5353"}, search = {...},
-- lookup = {"file", "bind"}, options = {ndots =, timeout =, attempts =, ...}} makes one; config.stub(init)
-- starts from /etc/resolv.conf (and nsswitch.conf's hosts line) and applies init over it.
--
-- Spindle uses nameserver, search, ndots, timeout, attempts, recurse and interface, and of lookup only
-- whether "file" and "bind" are there (the hosts file always comes first); edns0, rotate, smart and tcp are
-- kept and reported but change nothing. An empty name server list means the system's.
local S = ...
require "cqueues" -- installs S.class and S.interposer
local type, tostring, tonumber, tointeger = type, tostring, tonumber, math.tointeger

local M = { TCP_ENABLE = 0, TCP_ONLY = 1, TCP_DISABLE = 2, RESOLV_CONF = 0, NSSWITCH_CONF = 1 }

local MAXNS = 3 -- as cqueues: further name servers are ignored

local Config, check, typeof = S.class("dns config")

-- The address in `s` if it is a literal IPv4 or IPv6 address, else nil.
local function literal(s)
  local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if a then
    for _, x in ipairs { a, b, c, d } do
      if tonumber(x) > 255 then return nil end
    end
    return s
  end
  if s:find(":", 1, true) and s:match("^[%x:%.]+$") then return s end
  return nil
end

-- "addr" or "[addr]:port" as { addr, port } (`port` by default); raises for anything else.
local function server(s, level, port)
  local addr, p = s:match("^%[(.-)%]:(%d+)$")
  if addr then port = p else addr = s end
  port = tointeger(tonumber(port))
  if not literal(addr) or not port or port > 65535 then
    error(("%s: Invalid textual address form"):format(s), level + 1)
  end
  return { addr, port }
end

-- Raises "<ip>: Invalid textual address form" unless `ip` is a literal address (for cqueues.dns.hosts).
function S.dns_literal(ip, level)
  if type(ip) ~= "string" or not literal(ip) then
    error(("%s: Invalid textual address form"):format(tostring(ip)), level + 1)
  end
end

local function copy(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  return out
end

function Config:getns()
  check(self, "getns")
  local out = {}
  for i, ns in ipairs(self._ns) do
    out[i] = ns[2] == 53 and ns[1] or ("[%s]:%d"):format(ns[1], ns[2])
  end
  return out
end

function Config:setns(list)
  check(self, "setns")
  if type(list) ~= "table" then error(("bad argument #1 to 'setns' (table expected, got %s)"):format(type(list)), 2) end
  local ns = {}
  for i = 1, math.min(#list, MAXNS) do ns[i] = server(tostring(list[i]), 2, 53) end
  self._ns = ns
  return true
end

function Config:getsearch()
  check(self, "getsearch")
  return copy(self._search)
end

function Config:setsearch(list)
  check(self, "setsearch")
  self._search = copy(list)
  return true
end

function Config:getlookup()
  check(self, "getlookup")
  return copy(self._lookup)
end

local lookups = { f = "file", b = "bind", c = "cache" }

function Config:setlookup(list)
  check(self, "setlookup")
  local out = {}
  for _, v in ipairs(list) do out[#out + 1] = lookups[tostring(v):sub(1, 1):lower()] end
  self._lookup = out
  return true
end

function Config:getopts()
  check(self, "getopts")
  local o = {}
  for k, v in pairs(self._opts) do o[k] = v end
  return o
end

local booleans = { edns0 = true, rotate = true, recurse = true, smart = true }

function Config:setopts(opts)
  check(self, "setopts")
  for k in pairs(self._opts) do
    local v = opts[k]
    if v ~= nil then
      if booleans[k] then self._opts[k] = v and true or false else self._opts[k] = tointeger(tonumber(v)) or self._opts[k] end
    end
  end
  return true
end

function Config:getiface()
  check(self, "getiface")
  return self._iface
end

-- The local address queries are sent from: "addr" (any port) or "[addr]:port".
function Config:setiface(ip)
  check(self, "setiface")
  self._local = server(tostring(ip), 2, 0)
  self._iface = tostring(ip)
  return true
end

-- Reads resolv.conf syntax (or nsswitch.conf's "hosts:" line) from an open file.
function Config:loadfile(file, syntax)
  check(self, "loadfile")
  for line in file:lines() do
    local words = {}
    for w in line:gsub("[#;].*", ""):gmatch("%S+") do words[#words + 1] = w end
    local key = words[1]
    if syntax == M.NSSWITCH_CONF then
      if key == "hosts:" then
        local l = {}
        for i = 2, #words do l[#l + 1] = (words[i] == "files" and "file") or (words[i] == "dns" and "bind") or nil end
        self._lookup = l
      end
    elseif key == "nameserver" and words[2] and #self._ns < MAXNS then
      local ok, ns = pcall(server, words[2], 1, 53)
      if ok then self._ns[#self._ns + 1] = ns end
    elseif key == "domain" and words[2] then
      self._search = { words[2] }
    elseif key == "search" then
      self._search = table.move(words, 2, #words, 1, {})
    elseif key == "lookup" then
      self:setlookup(table.move(words, 2, #words, 1, {}))
    elseif key == "options" then
      for i = 2, #words do
        local k, v = words[i]:match("^([%w%-]+):?(%d*)$")
        if k and booleans[k] then self._opts[k] = true
        elseif k and v ~= "" and self._opts[k] ~= nil then self._opts[k] = tonumber(v) end
      end
    end
  end
  return true
end

-- Reads a file by path: true, or false and an errno.
function Config:loadpath(path, syntax)
  check(self, "loadpath")
  local f, _, code = io.open(path, "r")
  if not f then return false, code end
  local ok, err = pcall(self.loadfile, self, f, syntax)
  f:close()
  if not ok then error(err, 2) end
  return true
end

function Config:totable()
  check(self, "totable")
  return { nameserver = self:getns(), search = self:getsearch(), lookup = self:getlookup(),
    options = self:getopts(), interface = self:getiface() }
end

-- resolv.conf text.
function Config:__tostring()
  local out = {}
  for _, ns in ipairs(self:getns()) do out[#out + 1] = "nameserver " .. ns end
  if #self._search > 0 then out[#out + 1] = "search " .. table.concat(self._search, " ") end
  if #self._lookup > 0 then out[#out + 1] = "lookup " .. table.concat(self._lookup, " ") end
  local o = self._opts
  local opts = { ("ndots:%d"):format(o.ndots), ("timeout:%d"):format(o.timeout), ("attempts:%d"):format(o.attempts) }
  for _, k in ipairs { "edns0", "rotate", "recurse", "smart" } do
    if o[k] then opts[#opts + 1] = k end
  end
  out[#out + 1] = "options " .. table.concat(opts, " ")
  if self._iface then out[#out + 1] = "interface " .. self._iface end
  return table.concat(out, "\n") .. "\n"
end

local function apply(cfg, init)
  if init == nil then return cfg end
  if type(init) ~= "table" then error(("bad argument #1 (table expected, got %s)"):format(type(init)), 3) end
  if init.nameserver then cfg:setns(type(init.nameserver) == "table" and init.nameserver or { init.nameserver }) end
  if init.search then cfg:setsearch(init.search) end
  if init.lookup then cfg:setlookup(init.lookup) end
  local opts = {}
  for k, v in pairs(init.options or init.opts or {}) do opts[k] = v end
  for k in pairs(cfg._opts) do
    if opts[k] == nil and init[k] ~= nil then opts[k] = init[k] end
  end
  cfg:setopts(opts)
  if init.interface then cfg:setiface(init.interface) end
  return cfg
end

local function empty()
  return setmetatable({
    _ns = {}, _search = {}, _lookup = { "file", "bind" },
    _opts = { edns0 = false, ndots = 1, timeout = 5, attempts = 2, rotate = false, recurse = false, smart = false, tcp = 0 },
  }, Config)
end

function M.new(init)
  return apply(empty(), init)
end

-- The system's configuration (/etc/resolv.conf, nsswitch.conf's lookup order), with `init` applied over it.
function M.stub(init)
  local cfg = empty()
  cfg:loadpath("/etc/resolv.conf")
  cfg:loadpath("/etc/nsswitch.conf", M.NSSWITCH_CONF)
  return apply(cfg, init)
end

function M.root(init)
  local cfg = M.new(init)
  cfg._opts.recurse = true
  return cfg
end

function M.loadfile(file, syntax)
  local cfg = M.new()
  cfg:loadfile(file, syntax)
  return cfg
end

function M.loadpath(path, syntax)
  local cfg = M.new()
  local ok, code = cfg:loadpath(path, syntax)
  if not ok then return nil, code end
  return cfg
end

M.type = typeof

M.interpose = S.interposer(Config)

-- The name servers as { address, port } pairs, and the interface as one or nil (for cqueues.dns.resolver).
function S.dns_addresses(cfg)
  return cfg._ns, cfg._local
end

return M
