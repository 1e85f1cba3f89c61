# Sourced by the bench drivers (run.sh, session.sh, threads.sh): the lines every report starts and ends with.

# Prints the report's title, the command that made it ($1: the driver's name, then its arguments), the machine
# and the JVM ($JAVA), each as a markdown line.
report_header() {
  local title=$1 driver=$2
  shift 2
  echo "# $title, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- command: \`spindle-bench/$driver${*:+ $*}\`"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'))," \
       "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null), load average at start:" \
       "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "- java -version: $("$JAVA" -version 2>&1 | head -2 | tr '\n' ' ')"
}

report_footer() {
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
}
