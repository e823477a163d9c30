#!/usr/bin/env bash
# Stops the Jaeger that start.sh started (only that pid, never by name: other Jaegers on the
# machine are not ours to kill).
set -euo pipefail

RUN_DIR="${JAEGER_RUN_DIR:-${TMPDIR:-/tmp}/arrow-flight-cluster-jaeger}"
PID_FILE="$RUN_DIR/jaeger.pid"

[[ -f "$PID_FILE" ]] || { echo "jaeger not running (no $PID_FILE)"; exit 0; }
pid="$(cat "$PID_FILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "jaeger (pid $pid) ignored SIGTERM for 10s; sending SIGKILL" >&2
    kill -9 "$pid"
  fi
fi
rm -f "$PID_FILE"
echo "jaeger stopped (pid $pid)"
