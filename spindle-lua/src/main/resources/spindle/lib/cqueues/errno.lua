-- cqueues.errno: error numbers by name and names by number (Linux numbering), and strerror.
local M = {}

local list = {
  { "EPERM", 1, "Operation not permitted" }, { "ENOENT", 2, "No such file or directory" },
  { "ESRCH", 3, "No such process" }, { "EINTR", 4, "Interrupted system call" },
  { "EIO", 5, "Input/output error" }, { "ENXIO", 6, "No such device or address" },
  { "E2BIG", 7, "Argument list too long" }, { "ENOEXEC", 8, "Exec format error" },
  { "EBADF", 9, "Bad file descriptor" }, { "ECHILD", 10, "No child processes" },
  { "EAGAIN", 11, "Resource temporarily unavailable" }, { "ENOMEM", 12, "Cannot allocate memory" },
  { "EACCES", 13, "Permission denied" }, { "EFAULT", 14, "Bad address" },
  { "EBUSY", 16, "Device or resource busy" }, { "EEXIST", 17, "File exists" },
  { "EXDEV", 18, "Invalid cross-device link" }, { "ENODEV", 19, "No such device" },
  { "ENOTDIR", 20, "Not a directory" }, { "EISDIR", 21, "Is a directory" },
  { "EINVAL", 22, "Invalid argument" }, { "ENFILE", 23, "Too many open files in system" },
  { "EMFILE", 24, "Too many open files" }, { "ENOTTY", 25, "Inappropriate ioctl for device" },
  { "EFBIG", 27, "File too large" }, { "ENOSPC", 28, "No space left on device" },
  { "ESPIPE", 29, "Illegal seek" }, { "EROFS", 30, "Read-only file system" },
  { "EMLINK", 31, "Too many links" }, { "EPIPE", 32, "Broken pipe" },
  { "EDOM", 33, "Numerical argument out of domain" }, { "ERANGE", 34, "Numerical result out of range" },
  { "EDEADLK", 35, "Resource deadlock avoided" }, { "ENAMETOOLONG", 36, "File name too long" },
  { "ENOSYS", 38, "Function not implemented" }, { "ENOTEMPTY", 39, "Directory not empty" },
  { "ELOOP", 40, "Too many levels of symbolic links" }, { "ENOMSG", 42, "No message of desired type" },
  { "ENODATA", 61, "No data available" }, { "ETIME", 62, "Timer expired" },
  { "EPROTO", 71, "Protocol error" }, { "EBADMSG", 74, "Bad message" },
  { "EOVERFLOW", 75, "Value too large for defined data type" }, { "EILSEQ", 84, "Invalid or incomplete multibyte or wide character" },
  { "ENOTSOCK", 88, "Socket operation on non-socket" }, { "EDESTADDRREQ", 89, "Destination address required" },
  { "EMSGSIZE", 90, "Message too long" }, { "EPROTOTYPE", 91, "Protocol wrong type for socket" },
  { "ENOPROTOOPT", 92, "Protocol not available" }, { "EPROTONOSUPPORT", 93, "Protocol not supported" },
  { "EOPNOTSUPP", 95, "Operation not supported" }, { "EAFNOSUPPORT", 97, "Address family not supported by protocol" },
  { "EADDRINUSE", 98, "Address already in use" }, { "EADDRNOTAVAIL", 99, "Cannot assign requested address" },
  { "ENETDOWN", 100, "Network is down" }, { "ENETUNREACH", 101, "Network is unreachable" },
  { "ENETRESET", 102, "Network dropped connection on reset" }, { "ECONNABORTED", 103, "Software caused connection abort" },
  { "ECONNRESET", 104, "Connection reset by peer" }, { "ENOBUFS", 105, "No buffer space available" },
  { "EISCONN", 106, "Transport endpoint is already connected" }, { "ENOTCONN", 107, "Transport endpoint is not connected" },
  { "ESHUTDOWN", 108, "Cannot send after transport endpoint shutdown" }, { "ETIMEDOUT", 110, "Connection timed out" },
  { "ECONNREFUSED", 111, "Connection refused" }, { "EHOSTDOWN", 112, "Host is down" },
  { "EHOSTUNREACH", 113, "No route to host" }, { "EALREADY", 114, "Operation already in progress" },
  { "EINPROGRESS", 115, "Operation now in progress" }, { "ECANCELED", 125, "Operation canceled" },
  { "EOWNERDEAD", 130, "Owner died" }, { "ENOTRECOVERABLE", 131, "State not recoverable" },
}

-- Spindle's own negative codes: DNS (as cqueues' DNS_EBASE range) and socket/TLS (SO_EBASE range).
local DNS_EBASE = -(string.byte("d") << 24 | string.byte("n") << 16 | string.byte("s") << 8 | 64)
local SO_EBASE = -(string.byte("s") << 24 | string.byte("o") << 16 | string.byte("c") << 8 | 64)
local private = {
  { "DNS_ENOBUFS", DNS_EBASE, "DNS no buffer space" }, { "DNS_EILLEGAL", DNS_EBASE + 1, "Illegal DNS RR name or data" },
  { "DNS_EORDER", DNS_EBASE + 2, "Attempt to push RR out of section order" },
  { "DNS_ESECTION", DNS_EBASE + 3, "Invalid section specified" },
  { "DNS_EUNKNOWN", DNS_EBASE + 4, "Unknown DNS error" }, { "DNS_EADDRESS", DNS_EBASE + 5, "Invalid textual address form" },
  { "DNS_ENOQUERY", DNS_EBASE + 6, "Bad execution state (missing query packet)" },
  { "DNS_ENOANSWER", DNS_EBASE + 7, "Bad execution state (missing answer packet)" },
  { "DNS_EFETCHED", DNS_EBASE + 8, "Answer already fetched" }, { "DNS_ESERVICE", DNS_EBASE + 9, "The service passed was not recognized for the specified socket type" },
  { "DNS_ENONAME", DNS_EBASE + 10, "The name does not resolve for the supplied parameters" },
  { "DNS_EFAIL", DNS_EBASE + 11, "A non-recoverable error occurred when attempting to resolve the name" },
  { "SO_EOPENSSL", SO_EBASE, "TLS/SSL error" }, { "SO_EX509INT", SO_EBASE + 1, "X.509 certificate lookup interrupt" },
  { "SO_ENOTVRFD", SO_EBASE + 2, "Absent or unverified peer certificate" },
  { "SO_ECLOSURE", SO_EBASE + 3, "Peers elected to send duplicate close notification" },
  { "SO_ENOHOST", SO_EBASE + 4, "No host address available to complete operation" },
}

local text = {}
for _, group in ipairs { list, private } do
  for _, e in ipairs(group) do
    M[e[1]], M[e[2]], text[e[2]] = e[2], e[1], e[3]
  end
end
M.EWOULDBLOCK = M.EAGAIN -- an alias: errno[11] stays "EAGAIN"

function M.strerror(code)
  if math.type(code) ~= "integer" then
    error(("bad argument #1 to 'strerror' (integer expected, got %s)"):format(type(code)), 2)
  end
  return text[code] or ("Unknown error: " .. code)
end

return M
