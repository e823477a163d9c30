#!/usr/bin/env bash
# Prints the home of a JDK >= 21: $JAVA_HOME, then the java on PATH, then /usr/lib/jvm/* (newest first).
# Many machines ship an older default java beside a newer JDK, so looking only at PATH is not enough.
set -euo pipefail

java_major() {
  # `java -version` prints e.g. 'openjdk version "21.0.5"' or '"17.0.15"' on stderr.
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

ok() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(java_major "$1")" -ge 21 ] 2>/dev/null
}

candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
if command -v javac >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
fi
if [ -d /usr/lib/jvm ]; then
  while IFS= read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -V -r)
fi

for home in "${candidates[@]}"; do
  if ok "$home"; then
    echo "$home"
    exit 0
  fi
done
echo "no JDK 21 or newer found: install one and set JAVA_HOME to it" >&2
exit 1
