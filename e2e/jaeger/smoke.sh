#!/usr/bin/env bash
# Proves the e2e Jaeger works end to end before a suite relies on it: one span in over OTLP/HTTP,
# the same trace out of both query APIs (v2 /api/traces used by the UI, v3 /api/v3/traces).
# Leaves Jaeger running if it was already running, stops it otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${JAEGER_RUN_DIR:-${TMPDIR:-/tmp}/arrow-flight-cluster-jaeger}"
was_running=false
[[ -f "$RUN_DIR/jaeger.pid" ]] && kill -0 "$(cat "$RUN_DIR/jaeger.pid")" 2>/dev/null && was_running=true
"$here/start.sh"
$was_running || trap '"$here/stop.sh" >/dev/null' EXIT

trace_id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
service="jaeger-smoke-$$"
now_ns=$(date +%s%N)
curl -sf -X POST http://127.0.0.1:4318/v1/traces -H 'Content-Type: application/json' -d @- >/dev/null <<JSON
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"$service"}}]},
 "scopeSpans":[{"spans":[{"traceId":"$trace_id","spanId":"0102030405060708","name":"smoke","kind":1,
 "startTimeUnixNano":"$now_ns","endTimeUnixNano":"$((now_ns + 1000000))"}]}]}]}
JSON

# The batch processor flushes every 200ms; allow a few rounds.
for ((i = 0; i < 40; i++)); do
  if curl -sf "http://127.0.0.1:16686/api/traces?service=$service" | grep -q "$trace_id"; then
    break
  fi
  sleep 0.25
done
curl -sf "http://127.0.0.1:16686/api/traces?service=$service" | grep -q "$trace_id" \
  || { echo "span not found via /api/traces" >&2; exit 1; }

min=$(date -u -d '-5 min' +%Y-%m-%dT%H:%M:%SZ)
max=$(date -u -d '+5 min' +%Y-%m-%dT%H:%M:%SZ)
v3=$(curl -sf "http://127.0.0.1:16686/api/v3/traces?query.service_name=$service&query.start_time_min=$min&query.start_time_max=$max&query.num_traces=10")
grep -q '"name":"smoke"' <<<"$v3" || { echo "span not found via /api/v3/traces: $v3" >&2; exit 1; }

# Nothing may listen beyond loopback: the collector accepts unauthenticated writes.
if ss -ltnp 2>/dev/null | grep '"jaeger"' | awk '{print $4}' | grep -qv '^127\.0\.0\.1:'; then
  echo "jaeger listens on a non-loopback address:" >&2
  ss -ltnp | grep '"jaeger"' >&2
  exit 1
fi
echo "jaeger smoke test passed (trace $trace_id)"
