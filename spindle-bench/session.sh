#!/usr/bin/env bash
# Atomic increments per second on Spindle's session store, side by side with their peers, in one run; prints a
# markdown report (also written to spindle-bench/target/session-report.md).
#
#   spindle-bench/session.sh [SessionBench options]     e.g. --reps 7, --raw, --threads 1,2,4
#
# What it does:
#   1. finds a JDK 21+ (JAVA_HOME when it is 21 or newer, else the newest under /usr/lib/jvm);
#   2. checks the Redis peer (redis-server, redis-benchmark, redis-cli; installed here with
#      `apt-get install redis-server redis-tools` when missing and run as root);
#   3. builds the runtime (mvn install of spindle-kernel and spindle-lua) and compiles spindle-bench, and runs
#      dev.spindle.bench.SessionBench from spindle-bench/target/classes (so it neither needs nor rewrites the
#      shaded spindle-bench.jar);
#   4. starts a throw-away redis-server on 127.0.0.1:$REDIS_PORT (default 6399; no persistence, loopback only),
#      runs the bench, which interleaves the Java, script and redis-benchmark figures round by round, and stops
#      the server on exit.
# Bounded: about 2 minutes on 2 cores with the defaults, plus the build.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$ROOT/bin/lib/java.sh" # sets JAVA (a JDK 21+) and JAVA_HOME, or exits with a message
PORT=${REDIS_PORT:-6399}

has_redis() { command -v redis-server && command -v redis-benchmark && command -v redis-cli; } >/dev/null 2>&1
if ! has_redis; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "session.sh: installing the peer: apt-get install redis-server redis-tools" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >&2
  fi
  has_redis || { echo "session.sh: needs redis-server, redis-benchmark and redis-cli (Debian: apt-get install redis-server redis-tools)" >&2; exit 1; }
fi

echo "session.sh: building (mvn install of spindle-kernel, spindle-lua; compile of spindle-bench)..." >&2
CPFILE="$HERE/target/session-classpath.txt"
(cd "$ROOT" && mvn -q -B -DskipTests -pl spindle-kernel,spindle-lua install >&2 \
  && mvn -q -B -pl spindle-bench compile dependency:build-classpath -Dmdep.outputFile="$CPFILE" >&2) \
  || { echo "session.sh: build failed" >&2; exit 1; }
CP="$HERE/target/classes:$(cat "$CPFILE")"

# the Redis peer: a private server on loopback, stopped whatever happens
RUNDIR=$(mktemp -d /tmp/spindle-session-redis.XXXXXX)
if redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1; then
  echo "session.sh: something already answers on 127.0.0.1:$PORT; set REDIS_PORT to a free port" >&2
  exit 1
fi
stop_redis() {
  redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$RUNDIR"
}
trap stop_redis EXIT
redis-server --port "$PORT" --bind 127.0.0.1 --protected-mode yes --save '' --appendonly no --daemonize yes \
  --dir "$RUNDIR" --pidfile "$RUNDIR/redis.pid" --logfile "$RUNDIR/redis.log" >&2
for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -h 127.0.0.1 -p "$PORT" ping >/dev/null || { echo "session.sh: redis-server did not start" >&2; exit 1; }

REPORT="$HERE/target/session-report.md"
. "$HERE/lib/bench.sh" # bench_header, bench_footer
{
  bench_header "Spindle session store benchmark" "spindle-bench/session.sh${*:+ $*}"
  echo "- redis: $(redis-server --version | head -1)"
  echo
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" dev.spindle.bench.SessionBench --redis-port "$PORT" "$@"
  bench_footer
} | tee "$REPORT"
