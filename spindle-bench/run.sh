#!/usr/bin/env bash
# Spindle's script benchmarks, side by side with their peers, in one run; prints a markdown report.
#
#   spindle-bench/run.sh [ScriptBench options]     e.g. --reps 9, --only handoff,mutex, --raw
#
# Builds the runtime and spindle-bench/target/spindle-bench.jar, finds a JDK 21+ (JAVA_HOME when it is 21 or
# newer, else the newest under /usr/lib/jvm), checks the peers (plain Lua 5.4 and cqueues for it: Debian's
# lua5.4 and lua-cqueues, installed here with apt-get when missing and run as root), then runs
# dev.spindle.bench.ScriptBench, which interleaves each Spindle measurement with its peers round by round.
# The report also goes to spindle-bench/target/bench-report.md. Set LUA=... for another peer interpreter.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$ROOT/bin/lib/java.sh" # sets JAVA (a JDK 21+) and JAVA_HOME, or exits with a message
LUA=${LUA:-lua5.4}

has_peers() { command -v "$LUA" >/dev/null 2>&1 && "$LUA" -e 'require "cqueues"' >/dev/null 2>&1; }
if ! has_peers; then
  if [ "$(id -u)" = 0 ] && [ "$LUA" = lua5.4 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing the peers: apt-get install lua5.4 lua-cqueues" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua5.4 lua-cqueues >&2
  fi
  has_peers || { echo "run.sh: needs $LUA with cqueues (Debian: apt-get install lua5.4 lua-cqueues)" >&2; exit 1; }
fi

echo "run.sh: building (mvn -pl spindle-bench -am install -DskipTests)..." >&2
(cd "$ROOT" && mvn -q -B -DskipTests -pl spindle-bench -am install >&2) || { echo "run.sh: build failed" >&2; exit 1; }

REPORT="$HERE/target/bench-report.md"
. "$HERE/report.sh"
{
  report_header "Spindle benchmark run" run.sh "$@"
  echo "- $LUA -v: $("$LUA" -v 2>&1)"
  echo
  "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$HERE/target/spindle-bench.jar" --lua "$LUA" "$@"
  report_footer
} | tee "$REPORT"
