#!/usr/bin/env bash
# Starts the e2e Jaeger (in-memory, 127.0.0.1 only) in the background and waits until its
# query API answers, so a test never races the collector's start-up and loses its first spans.
# Idempotent: a Jaeger already started by this script is reused.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAEGER_BIN="${JAEGER_BIN:-$HOME/.cache/arrow-flight-cluster/bin/jaeger}"
RUN_DIR="${JAEGER_RUN_DIR:-${TMPDIR:-/tmp}/arrow-flight-cluster-jaeger}"
PID_FILE="$RUN_DIR/jaeger.pid"
LOG_FILE="$RUN_DIR/jaeger.log"
QUERY_URL="http://127.0.0.1:16686/api/services"
WAIT_SECONDS="${JAEGER_START_TIMEOUT:-60}"

mkdir -p "$RUN_DIR"

if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "jaeger already running (pid $(cat "$PID_FILE"))"
  exit 0
fi

[[ -x "$JAEGER_BIN" ]] || "$here/install.sh"

if curl -s -o /dev/null --max-time 2 "$QUERY_URL"; then
  echo "something else already answers on $QUERY_URL; stop it first" >&2
  exit 1
fi

# setsid: the collector must outlive this script and not get the caller's Ctrl-C.
setsid "$JAEGER_BIN" --config="file:$here/config.yaml" >"$LOG_FILE" 2>&1 </dev/null &
echo $! >"$PID_FILE"

for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
  if curl -s -o /dev/null --max-time 1 "$QUERY_URL"; then
    echo "jaeger up (pid $(cat "$PID_FILE")): OTLP grpc 127.0.0.1:4317, http 127.0.0.1:4318, UI/API http://127.0.0.1:16686"
    exit 0
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    echo "jaeger exited during start-up; last log lines:" >&2
    tail -n 20 "$LOG_FILE" >&2
    rm -f "$PID_FILE"
    exit 1
  fi
  sleep 0.25
done

echo "jaeger did not answer $QUERY_URL within ${WAIT_SECONDS}s; log: $LOG_FILE" >&2
exit 1
