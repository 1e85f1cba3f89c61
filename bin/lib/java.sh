# Sourced by Spindle's scripts: sets JAVA to a JDK 21+ java and exports JAVA_HOME, or exits with a message.
# Takes JAVA_HOME when it is 21 or newer, else the newest JDK under /usr/lib/jvm.

spindle_java_major() { # prints the major version of the java binary $1
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

spindle_find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(spindle_java_major "$JAVA_HOME/bin/java")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] || continue
    major=$(spindle_java_major "$dir/bin/java")
    if [ -n "$major" ] && [ "$major" -gt "$best_major" ] 2>/dev/null; then best=$dir; best_major=$major; fi
  done
  if [ "$best_major" -ge 21 ]; then
    export JAVA_HOME=$best
    return 0
  fi
  echo "spindle: needs a JDK 21 or newer; set JAVA_HOME to one, or install one under /usr/lib/jvm" \
       "(found: ${JAVA_HOME:-no JAVA_HOME}, newest under /usr/lib/jvm: ${best:-none})" >&2
  exit 1
}

spindle_find_java
JAVA="$JAVA_HOME/bin/java"
export PATH="$JAVA_HOME/bin:$PATH"
