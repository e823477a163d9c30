#!/usr/bin/env bash
# The deployment end to end: docker-compose.yml and the Dockerfile, run for real on this machine's
# Docker engine with two coordinators, three servers and Jaeger (see README.md in this folder).
#   e2e/compose/run-suite.sh
# Starts dockerd when none answers (and stops only what it started); builds the base images once
# (deploy/images/build-base-images.sh, cached) and our image from the host's Maven build; runs the
# steps below, printing each one's time, and writes target/ci-reports/compose-suite.xml (one test
# per step) for .ci/summary.py. Exit status non-zero when a step failed or the engine cannot start:
# never a skip, since every CI machine can run it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
run_dir="$repo/target/compose-suite"
report="$repo/target/ci-reports/compose-suite.xml"
dist="$repo/cli/target/flight-cluster"
project="${COMPOSE_PROJECT_NAME:-afc-compose-suite}"
# The rows of each sample dataset: distinct counts, so a dataset read in place of another is caught.
DATASETS=(taxi_trips.parquet=30000 orders.parquet=20000 sensor_readings.parquet=10000)
COORDINATORS=2
SERVERS=3
HEALTH_TIMEOUT="${COMPOSE_SUITE_HEALTH_TIMEOUT:-300}"
LEASE_SECONDS=10 # the coordinator's default --lease, which docker-compose.yml keeps

export JAVA_HOME="$(scripts/java-home.sh)"
export PATH="$JAVA_HOME/bin:$PATH"
# Nothing from the caller's shell may reconfigure the stack or the host-side client.
while IFS= read -r name; do unset "$name"; done < <(env | sed -n 's/^\(\(OTEL\|FLIGHT\|JAEGER\)_[A-Za-z0-9_]*\)=.*/\1/p')

rm -rf "$run_dir"
mkdir -p "$run_dir" "$(dirname "$report")"

log() { printf '== compose suite: %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo -n"

# --- the engine ----------------------------------------------------------------------------------
started_dockerd=""
engine_log="$run_dir/dockerd.log"
# `command`: the docker() function below wraps this array, so it must not call itself.
docker_cmd=(command docker)

ensure_engine() {
  if ! command -v dockerd >/dev/null && ! command -v docker >/dev/null; then
    log "installing Debian's docker.io"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq docker.io >/dev/null
  fi
  if docker info >/dev/null 2>&1; then
    log "using the running engine ($(docker info --format '{{.ServerVersion}}'))"
    return 0
  fi
  if [[ -n "$sudo" ]] && $sudo docker info >/dev/null 2>&1; then
    docker_cmd=($sudo docker)
    log "using the running engine through sudo"
    return 0
  fi
  local dockerd_bin
  dockerd_bin="$(command -v dockerd || echo /usr/sbin/dockerd)"
  log "starting $dockerd_bin (log: ${engine_log#"$repo"/})"
  # setsid: the engine must not get this script's Ctrl-C before the stack is down.
  $sudo setsid "$dockerd_bin" >"$engine_log" 2>&1 </dev/null &
  started_dockerd=$!
  [[ -z "$sudo" ]] || docker_cmd=($sudo docker)
  local deadline=$((SECONDS + 60))
  until "${docker_cmd[@]}" info >/dev/null 2>&1; do
    if ! $sudo kill -0 "$started_dockerd" 2>/dev/null || ((SECONDS > deadline)); then
      echo "FAIL: the Docker engine did not start; its log:" >&2
      cat "$engine_log" >&2
      started_dockerd=""
      return 1
    fi
    sleep 0.5
  done
  log "engine up ($("${docker_cmd[@]}" info --format '{{.ServerVersion}}'))"
}

stop_engine() {
  [[ -n "$started_dockerd" ]] || return 0
  log "stopping the dockerd this suite started (pid $started_dockerd)"
  $sudo kill -TERM "$started_dockerd" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    $sudo kill -0 "$started_dockerd" 2>/dev/null || return 0
    sleep 0.5
  done
  echo "dockerd (pid $started_dockerd) ignored SIGTERM for 30s; sending SIGKILL" >&2
  $sudo kill -KILL "$started_dockerd" 2>/dev/null || true
}

docker() { "${docker_cmd[@]}" "$@"; }

# compose v2 (`docker compose`) when installed, else Debian's docker-compose (v1). Both build
# through the docker CLI with BuildKit, which the Dockerfile needs: a CLI of Docker 23+ only has it
# with the buildx plugin, so without buildx the engine's own CLI (Debian's docker.io, 20.10, which
# has BuildKit built in) goes first on the PATH.
compose_cmd=()
choose_compose() {
  if docker compose version >/dev/null 2>&1; then
    compose_cmd=("${docker_cmd[@]}" compose)
  else
    if ! command -v docker-compose >/dev/null; then
      log "installing Debian's docker-compose"
      $sudo apt-get update -qq
      $sudo env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq docker-compose >/dev/null
    fi
    compose_cmd=($sudo docker-compose)
    [[ -z "$sudo" ]] || compose_cmd=(sudo -n --preserve-env docker-compose)
  fi
  if ! docker buildx version >/dev/null 2>&1; then
    local cli
    for cli in $(type -ap docker) /usr/bin/docker; do
      local major
      major="$("$cli" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)" || continue
      if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 23)); then
        mkdir -p "$run_dir/bin"
        ln -sf "$cli" "$run_dir/bin/docker"
        export PATH="$run_dir/bin:$PATH"
        break
      fi
    done
  fi
  export COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1
  log "compose: ${compose_cmd[*]} ($("${compose_cmd[@]}" version --short 2>/dev/null || true)), docker CLI $(type -P docker)"
}

compose() { "${compose_cmd[@]}" -p "$project" -f "$repo/docker-compose.yml" "$@"; }

# --- the stack's environment ------------------------------------------------------------------------
# A free loopback port (the default if free) for Jaeger's UI, and free ranges of four for the
# coordinators' Flight and status page ports, so a developer's own Jaeger or cluster on the defaults
# does not fail the suite. Nothing binds them until compose starts: ranges that may both fall back
# must search apart (fallback-start).
free_ports() { # default-first-port count [fallback-start]
  python3 - "$1" "$2" "${3:-20000}" <<'PY'
import socket, sys
first, count, fallback = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port)); return True
        except OSError:
            return False
for start in [first] + list(range(fallback, 60000, count)):
    if all(free(p) for p in range(start, start + count)):
        print(start if count == 1 else f"{start}-{start + count - 1}"); break
PY
}

# --- steps and the report ---------------------------------------------------------------------
cases=()   # "name|seconds|status|message"
failed_step=""
current_step=""
step_start=""

begin() {
  current_step="$1"
  step_start="$(now)"
  printf '\n== compose suite: step %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"
}
pass() {
  local t
  t="$(elapsed "$step_start")"
  cases+=("$current_step|$t|passed|")
  log "step $current_step passed in ${t}s"
  current_step=""
}
fail() {
  local t
  t="$(elapsed "$step_start")"
  cases+=("$current_step|$t|failed|$*")
  printf 'FAIL: step %s after %ss: %s\n' "$current_step" "$t" "$*" >&2
  failed_step="$current_step"
  current_step=""
  return 1
}

write_report() {
  python3 - "$report" "${cases[@]}" <<'PY'
import sys
from xml.sax.saxutils import quoteattr
path, cases = sys.argv[1], [c.split("|", 3) for c in sys.argv[2:]]
failures = sum(1 for c in cases if c[2] == "failed")
skipped = sum(1 for c in cases if c[2] == "skipped")
total = sum(float(c[1]) for c in cases)
lines = [f'<testsuite name="compose-suite" tests="{len(cases)}" failures="{failures}" errors="0" '
         f'skipped="{skipped}" time="{total:.1f}">']
for name, seconds, status, message in cases:
    lines.append(f'  <testcase classname="e2e.compose" name={quoteattr(name)} time="{seconds}">')
    if status == "failed":
        lines.append(f'    <failure message={quoteattr(message)}/>')
    elif status == "skipped":
        lines.append(f'    <skipped message={quoteattr(message)}/>')
    lines.append('  </testcase>')
lines.append('</testsuite>')
open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
}

STEPS=(images up list-and-get-all trace coordinator-killed server-stopped down)

finish() {
  local status=$?
  trap - EXIT
  set +e
  if [[ -n "$current_step" ]]; then
    fail "aborted (exit status $status)" 2>/dev/null
  fi
  # Steps never reached are reported as skipped, so the report always has every step.
  local s c done_names=" "
  for c in "${cases[@]}"; do done_names+="${c%%|*} "; done
  for s in "${STEPS[@]}"; do
    [[ "$done_names" == *" $s "* ]] || cases+=("$s|0|skipped|not run: step $failed_step failed")
  done
  if ((${#compose_cmd[@]} > 0)) && docker info >/dev/null 2>&1; then
    if [[ -n "$failed_step" ]]; then
      compose logs --no-color >"$run_dir/compose.log" 2>&1
      log "containers' logs: ${run_dir#"$repo"/}/compose.log"
    fi
    compose --profile tools down -v --remove-orphans >/dev/null 2>&1
  fi
  stop_engine
  write_report
  if [[ -n "$failed_step" || $status -ne 0 ]]; then
    log "FAILED at step ${failed_step:-setup} (report: ${report#"$repo"/})"
    exit 1
  fi
  log "all ${#STEPS[@]} steps passed in $(elapsed "$suite_start")s"
}

# --- checks ----------------------------------------------------------------------------------------
# Containers of one service of this project, in a stable order.
containers() { # service [extra docker ps args]
  local service=$1
  shift
  docker ps -q "$@" --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$service" | sort
}

# Waits until every coordinator and server container reports healthy, polling `docker inspect`.
wait_healthy() { # expected-coordinators expected-servers
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) ids states
  while true; do
    ids="$(containers coordinator; containers server)"
    states="$(docker inspect --format '{{.Name}} {{.State.Health.Status}}' $ids 2>/dev/null || true)"
    if [[ "$(containers coordinator | wc -l)" -eq "$1" && "$(containers server | wc -l)" -eq "$2" ]] \
        && ! grep -qv ' healthy$' <<<"$states"; then
      return 0
    fi
    if ((SECONDS > deadline)); then
      echo "not healthy within ${HEALTH_TIMEOUT}s:" >&2
      echo "$states" >&2
      return 1
    fi
    sleep 2
  done
}

# The loopback port each running coordinator is published on.
coordinator_ports() {
  local id
  for id in $(containers coordinator); do
    docker port "$id" 8888/tcp | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -n 1
  done
}

# `client list` from the host, through a coordinator's published loopback port.
host_list() { # port
  # Untraced: the host has no collector, and the trace step looks at the client service's run only.
  OTEL_SDK_DISABLED=true "$dist/bin/flight-cluster" client --coordinator "grpc://127.0.0.1:$1" list 2>&1
}

# Every sample dataset listed with exactly ROWS rows and COUNT replicas (locations matching the
# optional regex excluded first).
check_listing() { # listing count [excluded-location]
  python3 - "$1" "$2" "${3:-}" "${DATASETS[@]}" <<'PY'
import sys
listing, replicas, excluded, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
rows = {}
for line in listing.splitlines()[1:]:
    parts = line.split(None, 4)
    if len(parts) == 5:
        locations = [l.strip() for l in parts[4].split(",")]
        rows[parts[0]] = (int(parts[1].replace(",", "")), locations)
problems = []
for item in expected:
    name, want = item.split("=")
    if name not in rows:
        problems.append(f"{name} not listed"); continue
    got, locations = rows[name]
    if got != int(want):
        problems.append(f"{name}: {got} rows listed, expected {want}")
    if excluded and excluded in locations:
        problems.append(f"{name}: still at {excluded}")
    if len(locations) != replicas:
        problems.append(f"{name}: {len(locations)} replicas {locations}, expected {replicas}")
if len(rows) != len(expected):
    problems.append(f"{len(rows)} datasets listed, expected {len(expected)}: {sorted(rows)}")
print("; ".join(problems))
sys.exit(1 if problems else 0)
PY
}

# The client service's list-and-get-all: exit status 0, and every sample dataset read with exactly
# its rows. Prints the trace id.
run_client() { # output file
  if ! compose --profile tools run --rm client >"$1" 2>&1; then
    cat "$1" >&2
    echo "the client service failed" >&2
    return 1
  fi
  python3 - "$1" "${DATASETS[@]}" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
read = {}
for line in text.splitlines():
    m = re.match(r"^(\S+\.parquet)\s+([\d,]+)\s", line)
    if m:
        read[m.group(1)] = int(m.group(2).replace(",", ""))
problems = []
for item in sys.argv[2:]:
    name, want = item.split("=")
    if read.get(name) != int(want):
        problems.append(f"{name}: read {read.get(name)} rows, expected {want}")
if len(read) != len(sys.argv[2:]):
    problems.append(f"read {sorted(read)}")
trace = re.search(r"^trace id: ([0-9a-f]{32})$", text, re.M)
if problems or not trace:
    sys.stderr.write(text + "\n" + "; ".join(problems or ["no trace id printed"]) + "\n")
    sys.exit(1)
print(trace.group(1))
PY
}

# Polls Jaeger's query API (published on loopback) until the trace holds the client's root span and
# spans of the client, a coordinator and a server, with the server's DoGet for every dataset.
check_trace() { # jaeger-port trace-id
  python3 - "$1" "$2" "${#DATASETS[@]}" <<'PY'
import json, sys, time, urllib.request, urllib.error
port, trace_id, datasets = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = f"http://127.0.0.1:{port}/api/traces/{trace_id}"
deadline, problem = time.monotonic() + 60, "no answer"
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            data = json.load(response)["data"]
    except (urllib.error.URLError, OSError, KeyError, ValueError) as e:
        problem = f"{url}: {e}"; time.sleep(1); continue
    if len(data) != 1:
        problem = f"{len(data)} traces for id {trace_id}"; time.sleep(1); continue
    trace = data[0]
    service = {pid: p["serviceName"] for pid, p in trace["processes"].items()}
    spans = [(service[s["processID"]], s["operationName"]) for s in trace["spans"]]
    services = {s for s, _ in spans}
    server_gets = [op for s, op in spans if s == "server" and op.endswith("/DoGet")]
    roots = [op for s, op in spans if s == "client" and op == "list_and_get_all_flights"]
    if {"client", "coordinator", "server"} <= services and roots and len(server_gets) >= datasets:
        print(f"trace {trace_id}: {len(spans)} spans from {sorted(services)}, {len(server_gets)} server DoGet")
        sys.exit(0)
    problem = f"services {sorted(services)}, root {roots}, server DoGet {len(server_gets)}"
    time.sleep(1)
print(f"trace {trace_id} incomplete after 60s: {problem}", file=sys.stderr)
sys.exit(1)
PY
}

# --- the run ---------------------------------------------------------------------------------------
suite_start="$(now)"
trap finish EXIT

begin images
ensure_engine || fail "the Docker engine cannot start (log above)"
choose_compose
if [[ ! -x "$dist/bin/flight-cluster" ]]; then
  log "building the distribution (./mvnw -pl cli -am package)"
  ./mvnw -B -ntp -q -pl cli -am package -DskipTests
fi
base_env="$(deploy/images/build-base-images.sh)" || fail "deploy/images/build-base-images.sh failed"
while IFS='=' read -r key value; do
  [[ "$key" =~ ^[A-Z_]+$ ]] && export "$key=$value"
done <<<"$base_env"
# Our image is built from the host's Maven build, not by a second Maven run inside Docker.
export FLIGHT_DIST=prebuilt
export FLIGHT_DATASETS="$run_dir/flight_datasets"
export JAEGER_UI_PORT="$(free_ports 16686 1)"
export FLIGHT_COORDINATOR_PORTS="$(free_ports 8888 4)"
export FLIGHT_COORDINATOR_HTTP_PORTS="$(free_ports 8080 4 40000)"
log "base images: $FLIGHT_RUNTIME_IMAGE, $JAEGER_IMAGE; Jaeger UI on 127.0.0.1:$JAEGER_UI_PORT, coordinators on 127.0.0.1:$FLIGHT_COORDINATOR_PORTS (status pages $FLIGHT_COORDINATOR_HTTP_PORTS)"
java --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp "$dist/lib/*" \
  e2e/compose/GenerateDatasets.java "$FLIGHT_DATASETS" "${DATASETS[@]}" 2>"$run_dir/generate.log" \
  || { cat "$run_dir/generate.log" >&2; fail "could not write the sample datasets"; }
# The services run as uid 10001; the data dir is the host's.
chmod -R a+rwX "$FLIGHT_DATASETS"
# Whatever an interrupted earlier run left.
compose --profile tools down -v --remove-orphans >/dev/null 2>&1 || true
pass

begin up
compose up -d --build --scale coordinator=$COORDINATORS --scale server=$SERVERS \
  >"$run_dir/up.log" 2>&1 || { cat "$run_dir/up.log" >&2; fail "docker compose up failed"; }
wait_healthy $COORDINATORS $SERVERS || fail "the stack did not become healthy"
mapfile -t ports < <(coordinator_ports)
((${#ports[@]} == COORDINATORS)) || fail "coordinators published on ${ports[*]:-no port}"
# Healthy means warm: every server that reached the coordinator is listed; all three must have.
for port in "${ports[@]}"; do
  problems=""
  for ((i = 0; i < 30; i++)); do
    problems="$(check_listing "$(host_list "$port")" $SERVERS)" && break
    sleep 1
  done
  [[ -z "$problems" ]] || fail "coordinator on 127.0.0.1:$port: $problems"
done
log "both coordinators list every dataset with $SERVERS replicas (ports ${ports[*]})"
pass

begin list-and-get-all
trace_id="$(run_client "$run_dir/client-1.txt")" || fail "list-and-get-all did not read every dataset exactly"
cat "$run_dir/client-1.txt"
pass

begin trace
check_trace "$JAEGER_UI_PORT" "$trace_id" || fail "Jaeger has no complete trace $trace_id"
pass

begin coordinator-killed
victim="$(containers coordinator | head -n 1)"
docker kill "$victim" >/dev/null || fail "docker kill $victim"
log "killed coordinator $(docker inspect --format '{{.Name}}' "$victim")"
run_client "$run_dir/client-2.txt" >/dev/null || fail "list-and-get-all failed with one coordinator killed"
compose up -d --scale coordinator=$COORDINATORS --scale server=$SERVERS >"$run_dir/up-2.log" 2>&1 \
  || { cat "$run_dir/up-2.log" >&2; fail "docker compose up -d did not bring the coordinator back"; }
wait_healthy $COORDINATORS $SERVERS || fail "the stack did not become healthy again"
[[ "$(docker inspect --format '{{.State.Running}}' "$victim")" == true ]] || fail "the killed coordinator is not running again"
port="$(docker port "$victim" 8888/tcp | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -n 1)"
# Servers find the coordinator again when they next resolve its name (every 5 heartbeats, through
# the JVM's 30 s DNS cache); until then its catalog may be short.
problems=""
for ((i = 0; i < 60; i++)); do
  problems="$(check_listing "$(host_list "$port")" $SERVERS)" && break
  sleep 1
done
[[ -z "$problems" ]] || fail "the restarted coordinator (127.0.0.1:$port): $problems"
log "the restarted coordinator serves the full catalog"
pass

begin server-stopped
stopped="$(containers server | head -n 1)"
address="$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$stopped")"
stopped_at="$(now)"
docker stop "$stopped" >/dev/null || fail "docker stop $stopped"
log "stopped server $(docker inspect --format '{{.Name}}' "$stopped") (grpc://$address:8889)"
# When each coordinator delisted it, by its own log: a goodbye (the server's drain on SIGTERM) or
# its lease running out. Either must come within one lease of the stop.
for id in $(containers coordinator); do
  delay=""
  for ((i = 0; i < LEASE_SECONDS + 30; i++)); do
    delay="$(docker logs "$id" 2>&1 | python3 -c '
import re, sys
from datetime import datetime, timezone
stopped_at, location = float(sys.argv[1]), sys.argv[2]
day = datetime.fromtimestamp(stopped_at, timezone.utc).date()
for line in sys.stdin:
    if location in line and ("said goodbye" in line or line.find("Evicted server") >= 0):
        t = datetime.combine(day, datetime.strptime(line[:12], "%H:%M:%S.%f").time(), timezone.utc).timestamp()
        if t >= stopped_at - 1:
            what = line.split(" - ", 1)[-1].strip()
            print(f"{t - stopped_at:.1f}s ({what})"); break
' "$stopped_at" "grpc://$address:8889")"
    [[ -z "$delay" ]] || break
    sleep 1
  done
  [[ -n "$delay" ]] || fail "coordinator $(docker inspect --format '{{.Name}}' "$id") never delisted grpc://$address:8889"
  python3 -c "import sys; sys.exit(0 if float(sys.argv[1].split('s')[0]) <= $LEASE_SECONDS else 1)" "$delay" \
    || fail "coordinator $(docker inspect --format '{{.Name}}' "$id") delisted it after more than the ${LEASE_SECONDS}s lease: $delay"
  log "coordinator $(docker inspect --format '{{.Name}}' "$id") delisted it after $delay"
done
# And their catalogs agree: every dataset at the two servers left, through each published port.
mapfile -t ports < <(coordinator_ports)
for port in "${ports[@]}"; do
  problems="$(check_listing "$(host_list "$port")" $((SERVERS - 1)) "grpc://$address:8889")" \
    || fail "coordinator on 127.0.0.1:$port: $problems"
done
log "both coordinators list every dataset at the $((SERVERS - 1)) servers left"
run_client "$run_dir/client-3.txt" >/dev/null || fail "list-and-get-all failed with one server stopped"
log "the client read every dataset from the replicas left"
pass

begin down
compose --profile tools down -v --remove-orphans >"$run_dir/down.log" 2>&1 \
  || { cat "$run_dir/down.log" >&2; fail "docker compose down -v failed"; }
left="$(docker ps -aq --filter "label=com.docker.compose.project=$project")
$(docker network ls -q --filter "label=com.docker.compose.project=$project")
$(docker volume ls -q --filter "label=com.docker.compose.project=$project")"
[[ -z "${left//$'\n'/}" ]] || fail "left behind: $(echo $left)"
pass
