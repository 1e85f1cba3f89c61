#!/usr/bin/env bash
# Spindle's script benchmarks, side by side with their peers, in one run; prints a markdown report.
#
#   spindle-bench/run.sh [ScriptBench options]     e.g. --reps 9, --only handoff,mutex, --raw
#
# Builds the runtime and spindle-bench/target/spindle-bench.jar (mvn package: nothing goes to ~/.m2), finds a
# JDK 21+ (JAVA_HOME when it is 21 or newer, else the newest under /usr/lib/jvm), checks the peers (plain Lua 5.4
# and cqueues for it: Debian's lua5.4 and lua-cqueues, installed here with apt-get when missing and run as root),
# then runs dev.spindle.bench.ScriptBench, which interleaves each Spindle measurement with its peers round by
# round. The report also goes to spindle-bench/target/bench-report.md. Set LUA=... for another peer interpreter.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib/bench.sh" # sets ROOT, and JAVA (a JDK 21+) and JAVA_HOME or exits with a message
bench_need_cqueues run.sh # sets LUA (default lua5.4)
bench_build run.sh

REPORT="$HERE/target/bench-report.md"
{
  bench_header "Spindle benchmark run" "spindle-bench/run.sh${*:+ $*}"
  echo
  "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$HERE/target/spindle-bench.jar" --lua "$LUA" "$@"
  bench_footer
} | tee "$REPORT"
