#!/usr/bin/env bash
# The line echo server benchmark: Spindle, cqueues on lua5.4 and a plain Java NIO loop serving the same line echo
# protocol, driven over loopback by one load generator, in one run; prints a markdown report.
#
#   spindle-bench/echo.sh [EchoBench options]     e.g. --rounds 5, --duration 8, --conns 100,1000,10000,
#                                                 --kinds java-nio,cqueues, --two-reactors threads, --raw
#
# What it does:
#   1. finds a JDK 21+ (bin/lib/java.sh) and checks the peer (lua5.4 with cqueues; installed with apt-get when
#      missing and run as root);
#   2. builds spindle-bench/target/spindle-bench.jar and spindle-cli/target/spindle.jar with mvn package (nothing
#      goes to ~/.m2; Spindle runs from that jar, as bin/spindle would run it);
#   3. raises the open-file limit to its hard limit (the idle-memory figure holds 10,000 connections);
#   4. runs dev.spindle.bench.echo.EchoBench: per round, each server (java-nio, cqueues: lua5.4 echo_server.lua,
#      spindle: spindle run echo_server.lua) in turn, pinned to core 0 with the generator on core 1, at 100 and
#      1,000 connections; then memory per idle connection; then two reactors (two server processes on cores 0 and
#      1 sharing the port, the generator floating). A Spindle that does not start is left out with the reason.
# Bounded: about 4 minutes on 2 cores with the defaults (3 rounds, 1.5 s warm-up + 4 s measured per figure), plus
# the build, and longer when other work on the machine makes it measure again. Every server and generator process
# is stopped on exit, however it ends. The report also goes to spindle-bench/target/echo-report.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib/bench.sh" # sets ROOT, and JAVA (a JDK 21+) and JAVA_HOME or exits with a message
bench_need_cqueues echo.sh # sets LUA (default lua5.4)
command -v taskset >/dev/null 2>&1 || { echo "echo.sh: needs taskset (Debian: util-linux)" >&2; exit 1; }
bench_build echo.sh spindle-bench,spindle-cli
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# EchoBench writes the pid of everything it starts (itself included) here; on exit, whatever is still running
# of those, and is still ours (its command line says so), is stopped.
PIDS=$(mktemp /tmp/spindle-echo-pids.XXXXXX)
stop_all() {
  local pid args
  for pid in $(cat "$PIDS" 2>/dev/null); do
    args=$(ps -o args= -p "$pid" 2>/dev/null) || continue
    case $args in *dev.spindle.bench.echo.*|*echo_server.lua*) kill "$pid" 2>/dev/null || true ;; esac
  done
  rm -f "$PIDS"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

REPORT="$HERE/target/echo-report.md"
{
  bench_header "Spindle line echo server benchmark" "spindle-bench/echo.sh${*:+ $*}"
  echo "- cqueues: $("$LUA" -e 'local c = require "cqueues"; io.write(c.VERSION, " (", c.VENDOR, ")")')"
  echo "- open-file limit: $(ulimit -n)"
  "$JAVA" -cp "$HERE/target/spindle-bench.jar" dev.spindle.bench.echo.EchoBench --lua "$LUA" \
    --script "$HERE/src/main/lua/echo_server.lua" --spindle-jar "$ROOT/spindle-cli/target/spindle.jar" \
    --pid-file "$PIDS" "$@"
  bench_footer
} | tee "$REPORT"
