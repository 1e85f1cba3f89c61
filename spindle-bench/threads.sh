#!/usr/bin/env bash
# Threads, queues and pools: Spindle's cross-thread queue, ProcessPoolExecutor and script-thread hand-offs, side
# by side with their peers in one run; prints a markdown report (also written to
# spindle-bench/target/threads-report.md).
#
#   spindle-bench/threads.sh [ThreadsBench options]     e.g. --reps 7, --only queue,pool, --raw
#
# Builds the runtime and spindle-bench/target/spindle-bench.jar (mvn package, nothing installed), finds a JDK
# 21+ (JAVA_HOME when it is 21 or newer, else the newest under /usr/lib/jvm), checks the peers (plain Lua 5.4,
# installed here with apt-get when missing and run as root; python3), then runs dev.spindle.bench.ThreadsBench,
# which interleaves each Spindle measurement with its peers round by round (the Spindle runs and Java's
# ArrayBlockingQueue in its JVM, lua5.4 and python3 as child processes). Bounded: about 3 minutes on 2 cores with the defaults, build included. LUA=... and PYTHON=...
# pick other peer interpreters.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$ROOT/bin/lib/java.sh" # sets JAVA (a JDK 21+) and JAVA_HOME, or exits with a message
LUA=${LUA:-lua5.4}
PYTHON=${PYTHON:-python3}

if ! command -v "$LUA" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && [ "$LUA" = lua5.4 ] && command -v apt-get >/dev/null 2>&1; then
    echo "threads.sh: installing the peer: apt-get install lua5.4" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lua5.4 >&2
  fi
  command -v "$LUA" >/dev/null 2>&1 || { echo "threads.sh: needs $LUA (Debian: apt-get install lua5.4)" >&2; exit 1; }
fi
command -v "$PYTHON" >/dev/null 2>&1 || { echo "threads.sh: needs $PYTHON (Debian: apt-get install python3)" >&2; exit 1; }

echo "threads.sh: building (mvn -pl spindle-bench -am package -DskipTests)..." >&2
(cd "$ROOT" && mvn -q -B -DskipTests -pl spindle-bench -am package >&2) || { echo "threads.sh: build failed" >&2; exit 1; }

REPORT="$HERE/target/threads-report.md"
. "$HERE/lib/bench.sh" # bench_header, bench_footer
{
  bench_header "Spindle threads, queues and pools benchmark run" "spindle-bench/threads.sh${*:+ $*}"
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo ' (plus uncommitted changes)')"
  echo "- $PYTHON --version: $("$PYTHON" --version 2>&1)"
  echo
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$HERE/target/spindle-bench.jar" dev.spindle.bench.ThreadsBench \
    --lua "$LUA" --python "$PYTHON" "$@"
  bench_footer
} | tee "$REPORT"
