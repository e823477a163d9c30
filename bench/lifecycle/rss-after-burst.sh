#!/usr/bin/env bash
# A data server's RSS before, right after, and 30 s / 60 s after a burst of concurrent DoGets.
#
#   bench/lifecycle/rss-after-burst.sh [STREAMS] [ROWS]
#
# Env passes through to the server, so a configuration is compared like this:
#   bench/lifecycle/rss-after-burst.sh 24                              # the launcher's default (D93)
#   FLIGHT_NATIVE_ALLOCATOR=glibc bench/lifecycle/rss-after-burst.sh 24     # glibc, fixed threshold (D23)
#   FLIGHT_NATIVE_ALLOCATOR=mimalloc bench/lifecycle/rss-after-burst.sh 24  # Arrow's own pool
#   FLIGHT_NATIVE_ALLOCATOR=glibc MALLOC_MMAP_THRESHOLD_=1048576 bench/lifecycle/rss-after-burst.sh 24
# Needs cli/target/flight-cluster and bench/target (./mvnw -pl bench -am package -DskipTests).
# The dataset (the demo's taxi_trips table, ROWS rows, default 2,000,000: ~85 MB of Parquet) is
# cached under ~/.cache/arrow-flight-cluster.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STREAMS="${1:-24}"
ROWS="${2:-2000000}"
DIST="$ROOT/cli/target/flight-cluster"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/arrow-flight-cluster/rss-burst-$ROWS"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mkdir -p "$CACHE"
if [ ! -f "$CACHE/taxi.parquet" ]; then
  "$JAVA" --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp "$DIST/lib/*" \
    "$ROOT/bench/lifecycle/GenerateSample.java" "$CACHE/taxi.parquet.tmp" "$ROWS" 2>/dev/null
  mv "$CACHE/taxi.parquet.tmp" "$CACHE/taxi.parquet"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp)
OTEL_SDK_DISABLED=true "$DIST/bin/flight-cluster" server --host 127.0.0.1 --port "$PORT" \
  --data-dir "$CACHE" --coordinator none --scan-queue-timeout 600s >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -f "$LOG" "$LOG.bench" "$LOG.nmt"' EXIT
for _ in $(seq 300); do "$DIST/bin/flight-cluster" health --target "grpc://127.0.0.1:$PORT" >/dev/null 2>&1 && break; sleep 0.2; done

rss_mb() { echo $(( $(ps -o rss= -p "$SERVER") / 1024 )); }
burst() {
  "$JAVA" --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
    -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" dev.flightcluster.bench.DoGetBench \
    --location "grpc://127.0.0.1:$PORT" --ticket taxi.parquet --streams "$1" --runs 1 --warmup 0 \
    --expect-rows "$ROWS" >/dev/null 2>>"$LOG.bench" || { echo "the burst of $1 failed:" >&2; tail -5 "$LOG.bench" >&2; exit 1; }
}

burst 1 # the first scan loads the native library: count that as idle
idle=$(rss_mb)
start=$(date +%s)
burst "$STREAMS"
took=$(( $(date +%s) - start ))
after=$(rss_mb)
sleep 30
after30=$(rss_mb)
sleep 30
after60=$(rss_mb)
# With JAVA_OPTS=-XX:NativeMemoryTracking=summary: what the JVM itself accounts for (heap, direct
# buffers as "Other"); the rest of the RSS is native memory outside it (Arrow C++'s pool).
if jcmd "$SERVER" VM.native_memory summary >"$LOG.nmt" 2>/dev/null && grep -q "Total:" "$LOG.nmt"; then
  grep -E "^Total:|Java Heap \(|Other \(|Internal \(|Thread \(" "$LOG.nmt" | sed 's/^/  NMT /'
fi
printf 'streams=%s rows=%s burst=%ss  RSS MB: idle %s, after burst %s, +30s %s, +60s %s  (%s)\n' \
  "$STREAMS" "$ROWS" "$took" "$idle" "$after" "$after30" "$after60" \
  "$(env | grep -E '^(MALLOC_|ARROW_DEFAULT|MIMALLOC_|JAVA_OPTS|FLIGHT_MEMORY|FLIGHT_NATIVE|GLIBC_TUNABLES)' | tr '\n' ' ')"
