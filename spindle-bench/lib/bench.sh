# Sourced by spindle-bench's drivers (run.sh, echo.sh): sets ROOT (the repository) and, through bin/lib/java.sh,
# JAVA and JAVA_HOME; then the peer check, the build and the report header they share. Every function takes the
# driver's name first, for its messages.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bin/lib/java.sh" # sets JAVA (a JDK 21+) and JAVA_HOME, or exits with a message

# Checks for $LUA (default lua5.4) with cqueues; as root, installs Debian's lua5.4 and lua-cqueues when missing.
bench_need_cqueues() {
  local me=$1
  LUA=${LUA:-lua5.4}
  if ! bench_has_cqueues; then
    if [ "$(id -u)" = 0 ] && [ "$LUA" = lua5.4 ] && command -v apt-get >/dev/null 2>&1; then
      echo "$me: installing the peers: apt-get install lua5.4 lua-cqueues" >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua5.4 lua-cqueues >&2
    fi
    bench_has_cqueues || { echo "$me: needs $LUA with cqueues (Debian: apt-get install lua5.4 lua-cqueues)" >&2; exit 1; }
  fi
}

bench_has_cqueues() {
  command -v "$LUA" >/dev/null 2>&1 && "$LUA" -e 'require "cqueues"' >/dev/null 2>&1
}

# Builds the modules named (comma-separated, default spindle-bench) and what they need, with `mvn package`: the
# jars land in each module's target/, and nothing goes to the local Maven repository, which may be shared.
bench_build() {
  local me=$1 modules=${2:-spindle-bench}
  echo "$me: building (mvn -pl $modules -am package -DskipTests)..." >&2
  (cd "$ROOT" && mvn -q -B -DskipTests -pl "$modules" -am package >&2) || { echo "$me: build failed" >&2; exit 1; }
}

# The first lines of a report: title, command, machine, JDK and (when LUA is set) the peer interpreter.
bench_header() {
  local title=$1 command=$2
  echo "# $title, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- command: \`$command\`"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'))," \
       "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null), load average at start:" \
       "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "- java -version: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
  if [ -n "${LUA:-}" ]; then echo "- $LUA -v: $("$LUA" -v 2>&1)"; fi
}

bench_footer() {
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
}
