#!/usr/bin/env bash
# What tracing costs a CLI command at exit, and a server its SIGTERM, whatever the collector does.
#
#   bench/lifecycle/telemetry-exit.sh [DIST] [RUNS]
#
# DIST is a built distribution (default cli/target/flight-cluster; build it with
# ./mvnw -pl cli -am package -DskipTests). Starts a coordinator and a server (tracing off) on free
# loopback ports, then times `client info` RUNS times (default 3, the median is printed) with
#   off        OTEL_SDK_DISABLED=true
#   dead       the default endpoint with nothing listening (connections refused)
#   blackhole  an endpoint that accepts connections and never reads or answers
# and a server's SIGTERM -> exit with tracing off, dead and blackhole (CLIENT_ONLY=1 skips these).
# Prints one line per case.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="$(cd "${1:-$ROOT/cli/target/flight-cluster}" && pwd)"
RUNS="${2:-3}"
CLI="$DIST/bin/flight-cluster"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if python3 -c 'import socket; socket.create_connection(("127.0.0.1", 4317), 0.5)' 2>/dev/null; then
  echo "something listens on 127.0.0.1:4317; the dead-collector case needs it free" >&2
  exit 1
fi

# The blackhole: accepts, never reads, never answers.
BLACKHOLE_PORT=$(free_port)
python3 - "$BLACKHOLE_PORT" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
PY
PIDS+=($!)

mkdir -p "$WORK/data"
cp "$ROOT/server/src/test/resources/fixtures/dictionary.parquet" "$WORK/data/sample.parquet"
COORD_PORT=$(free_port)
OTEL_SDK_DISABLED=true "$CLI" coordinator --host 127.0.0.1 --port "$COORD_PORT" >"$WORK/coordinator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do "$CLI" health --target "grpc://127.0.0.1:$COORD_PORT" >/dev/null 2>&1 && break; sleep 0.2; done
OTEL_SDK_DISABLED=true "$CLI" server --host 127.0.0.1 --port 0 --data-dir "$WORK/data" \
  --coordinator "grpc://127.0.0.1:$COORD_PORT" >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  OTEL_SDK_DISABLED=true "$CLI" client --coordinator "grpc://127.0.0.1:$COORD_PORT" info sample.parquet >/dev/null 2>&1 && break
  sleep 0.2
done

# Prints "TOTAL AFTER": the command's whole time, and the time from its last line of output to its
# exit (closing the client, flushing telemetry, JVM exit), which CPU contention on the machine
# affects far less than JVM start-up.
timed() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
start = time.monotonic()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=sys.stderr)
last = start
for _ in process.stdout:
    last = time.monotonic()
process.wait()
end = time.monotonic()
print(f"{end - start:.2f} {end - last:.2f}")
PY
}

client_info() { # $1 = case
  local info=("$CLI" client --coordinator "grpc://127.0.0.1:$COORD_PORT" info sample.parquet)
  case $1 in
    off) OTEL_SDK_DISABLED=true timed "${info[@]}" ;;
    dead) (unset OTEL_EXPORTER_OTLP_ENDPOINT; timed "${info[@]}") ;;
    blackhole) OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$BLACKHOLE_PORT" timed "${info[@]}" ;;
  esac 2>>"$WORK/client-$1.err"
}

server_sigterm() { # $1 = case; a standalone server, up and answering, then SIGTERM -> exit
  local env_args=() pid start end port
  case $1 in
    off) env_args=(OTEL_SDK_DISABLED=true) ;;
    dead) env_args=() ;;
    blackhole) env_args=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$BLACKHOLE_PORT") ;;
  esac
  port=$(free_port)
  env -u OTEL_EXPORTER_OTLP_ENDPOINT "${env_args[@]}" "$CLI" server --host 127.0.0.1 --port "$port" \
    --data-dir "$WORK/data" --coordinator none >>"$WORK/server-$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 150); do "$CLI" health --target "grpc://127.0.0.1:$port" >/dev/null 2>&1 && break; sleep 0.2; done
  # One traced call, so there is a span to flush.
  OTEL_SDK_DISABLED=true "$CLI" client --coordinator "grpc://127.0.0.1:$port" list >/dev/null 2>&1 || true
  start=$(now)
  kill -TERM "$pid"
  wait "$pid" || true
  end=$(now)
  echo "$end - $start" | bc
}

for c in off dead blackhole; do
  totals=()
  afters=()
  for _ in $(seq "$RUNS"); do
    read -r total after < <(client_info "$c")
    totals+=("$total")
    afters+=("$after")
  done
  printf 'client info, tracing %-9s median %5.2f s, of which after its output %5.2f s  (runs: %s / %s)\n' "$c" \
    "$(printf '%s\n' "${totals[@]}" | median)" "$(printf '%s\n' "${afters[@]}" | median)" "${totals[*]}" "${afters[*]}"
done
[ "${CLIENT_ONLY:-0}" = 1 ] && exit 0
for c in off dead blackhole; do
  times=()
  for _ in $(seq "$RUNS"); do times+=("$(server_sigterm "$c")"); done
  printf 'server SIGTERM->exit, tracing %-9s median %5.2f s  (runs: %s)\n' "$c" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
done
if grep -h " ERROR " "$WORK"/client-*.err "$WORK"/server-*.log 2>/dev/null | head -3 | grep -q .; then
  echo "ERROR lines logged:"; grep -h " ERROR " "$WORK"/client-*.err "$WORK"/server-*.log | head -3
else
  echo "no ERROR line logged"
fi
