#!/usr/bin/env bash
# One command for the benchmarks: builds what it needs, measures, writes bench/results/.
#
#   bench/run.sh            full run: 10M rows (~0.5 GB of Arrow data), 5 runs a configuration
#   bench/run.sh --quick    CI run: 200k rows, 3 runs, every code path of the harness; writes
#                           bench/results/quick/ so that it never overwrites the full results
#   bench/run.sh --no-cluster  baselines only (the cluster is measured by default, both modes)
#   bench/run.sh --runs=N   measured runs per configuration instead of the mode's (full: 5)
#
# Every server it starts binds 127.0.0.1 and is stopped on exit, failure included.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
HARNESS_ARGS=()
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) HARNESS_ARGS+=("$arg"); QUICK=1 ;;
    --no-cluster) HARNESS_ARGS+=("$arg") ;;
    --runs=[1-9]*) HARNESS_ARGS+=(--runs "${arg#--runs=}") ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="$ROOT/bench/results"
[ "$QUICK" = 1 ] && RESULTS="$RESULTS/quick"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/arrow-flight-cluster"
mkdir -p "$RESULTS" "$CACHE"

# ---- cleanup: the harness registers every process it starts here (one pid a line); each is
# the leader of its own process group, so killing the group takes its children too.
PID_FILE="$RESULTS/pids.tmp"
: >"$PID_FILE"
HARNESS_PID=""
cleanup() {
  local pid
  [ -n "$HARNESS_PID" ] && kill -TERM "$HARNESS_PID" 2>/dev/null || true
  while read -r pid; do
    [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
  done <"$PID_FILE"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local alive=0
    while read -r pid; do
      [ -n "$pid" ] && kill -0 -- "-$pid" 2>/dev/null && alive=1
    done <"$PID_FILE"
    [ "$alive" = 0 ] && break
    sleep 1
  done
  while read -r pid; do
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true
  done <"$PID_FILE"
  rm -f "$PID_FILE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- a JDK >= 21: JAVA_HOME, then the java on PATH, then /usr/lib/jvm/*, newest first
java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]) }'
}
find_jdk() {
  local candidates=() home major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  while IFS= read -r home; do candidates+=("$home"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV)
  for home in "${candidates[@]}"; do
    home="${home%/}"
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major="$(java_major "$home")"
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$home"
      return 0
    fi
  done
  return 1
}
JAVA_HOME="$(find_jdk)" || { echo "no JDK >= 21 found (JAVA_HOME, PATH, /usr/lib/jvm)" >&2; exit 1; }
export JAVA_HOME
JAVA_MAJOR="$(java_major "$JAVA_HOME")"
echo "JDK: $JAVA_HOME (Java $JAVA_MAJOR)"

# ---- the bench classes and their runtime class path (bench/target/lib), built from source
echo "building bench and the cluster's distribution (cli) ..."
./mvnw -B -ntp -q -pl bench,cli -am package -DskipTests

# ---- Python venv with the pinned requirements; rebuilt when they or the interpreter change
VENV="$CACHE/bench-venv"
PYTHON3="$(command -v python3)"
STAMP="$(cat bench/requirements.txt; "$PYTHON3" --version)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements-stamp" 2>/dev/null)" != "$STAMP" ]; then
  echo "creating the Python venv in $VENV ..."
  rm -rf "$VENV"
  "$PYTHON3" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r bench/requirements.txt
  printf '%s' "$STAMP" >"$VENV/.requirements-stamp"
fi

# ---- Debian packages the run uses when this machine lacks them: installs PACKAGE when root with
# apt-get, else says WITHOUT (what the run does without it) on stderr
apt_install() { # PACKAGE WITHOUT
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $1 ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "$1 missing and not root: $2" >&2
  fi
}
# iperf3 for the loopback baseline
command -v iperf3 >/dev/null 2>&1 ||
  apt_install iperf3 "the loopback baseline will be skipped"
# jemalloc: the cluster's launcher preloads it for Arrow C++'s memory when installed (D93); without it
# the cluster runs on glibc, slower, and RESULTS.md says which one ran
ls /usr/lib/*-linux-gnu/libjemalloc.so.2 >/dev/null 2>&1 ||
  apt_install libjemalloc2 "the cluster runs on glibc's allocator"

JAVA_OPTS="--add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED"
# JDK 24+ warns at run time when Arrow's memory layer uses sun.misc.Unsafe; the flag only exists there.
if [ "$JAVA_MAJOR" -ge 24 ]; then
  JAVA_OPTS="$JAVA_OPTS --sun-misc-unsafe-memory-access=allow"
fi

# In the background and waited for: bash runs a trap only once the foreground command is over,
# while `wait` returns as soon as a signal arrives, so an interrupted run is cleaned up at once.
BENCH_PID_FILE="$PID_FILE" "$VENV/bin/python" bench/py/harness.py \
  --java "$JAVA_HOME/bin/java" \
  --java-opts "$JAVA_OPTS" \
  --classpath "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" \
  --results-dir "$RESULTS" \
  --cache-dir "$CACHE" \
  "${HARNESS_ARGS[@]}" &
HARNESS_PID=$!
wait "$HARNESS_PID"
