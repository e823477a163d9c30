#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a Kubernetes cluster (CI has neither):
#   compose    - Debian's docker-compose parses and resolves docker-compose.yml (`config -q`),
#                then check_compose.py enforces the rules that make --scale server=N work;
#   Dockerfile - hadolint;
#   k8s        - kustomize renders deploy/k8s and deploy/k8s-secure, validate_k8s.py checks every object against the
#                official Kubernetes schemas (strict) and the cross-object wiring.
# Then each check is run once on a deliberately broken copy and must fail, so a validator that
# silently stopped checking (wrong path, skipped step, lenient mode) turns this script red.
#
# Installs what it needs on a fresh machine (apt as root, a pinned venv, kustomize via the Go
# module proxy), caching under ~/.cache/arrow-flight-cluster. Exit status non-zero on any failure.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${AFC_CACHE_DIR:-$HOME/.cache/arrow-flight-cluster}"
bin_dir="$cache/bin"
venv="$cache/validate-venv"
KUSTOMIZE_VERSION="v5.7.1"
failures=0

log() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

# --- tools ------------------------------------------------------------------------------------
ensure_docker_compose() {
  command -v docker-compose >/dev/null && return
  log "installing Debian's docker-compose"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  # NEEDRESTART_SUSPEND: needrestart's prompt hook has no terminal in CI and only adds noise.
  $sudo env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq docker-compose >/dev/null
}

ensure_venv() {
  local req="$repo/deploy/requirements-validate.txt" stamp="$venv/.requirements.sha256"
  local want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return
  fi
  log "creating $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  echo "$want" >"$stamp"
}

kustomize_build() {
  if [[ -x "$bin_dir/kustomize" ]]; then
    "$bin_dir/kustomize" build "$1"
  elif command -v kubectl >/dev/null; then
    # kubectl embeds kustomize; saves a multi-minute Go build where kubectl is installed.
    kubectl kustomize "$1"
  else
    log "building kustomize $KUSTOMIZE_VERSION (Go module proxy)"
    mkdir -p "$bin_dir"
    (cd / && GOFLAGS= GOBIN="$bin_dir" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")
    "$bin_dir/kustomize" build "$1"
  fi
}

# --- checks (each returns non-zero on an invalid input) -----------------------------------------
check_compose() { # compose file
  local resolved
  resolved="$(docker-compose -f "$1" config)" || return 1
  "$venv/bin/python" "$repo/deploy/check_compose.py" - <<<"$resolved"
}

check_dockerfile() { # Dockerfile
  # Any finding fails, warnings included: an exception belongs in the Dockerfile as an
  # inline `# hadolint ignore=DLxxxx` with its reason, where a reader sees it.
  "$venv/bin/hadolint" --no-color --failure-threshold info "$1"
}

check_k8s_rendered() { # rendered multi-document YAML
  "$venv/bin/python" "$repo/deploy/validate_k8s.py" "$1"
}

# must_fail NAME CHECK FILE: the check must reject FILE.
must_fail() {
  local out
  if out="$("$2" "$3" 2>&1)"; then
    fail "negative check '$1' passed; the validator no longer catches it"
  else
    # Show why it was rejected, so a rejection for an unrelated reason is visible in the log.
    log "negative check '$1' rejected: $(grep -m1 -iE 'error|invalid|DL[0-9]|FAIL' <<<"$out" | cut -c1-160)"
  fi
}

# mutate SRC DST PYTHON_EXPR: writes DST = SRC with a text replacement, and insists that the
# replacement changed something, so a stale pattern cannot make a negative check vacuous.
mutate() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
src, dst, old_new = sys.argv[1], sys.argv[2], sys.argv[3]
old, new = old_new.split("|||", 1)
text = open(src, encoding="utf-8").read()
if old not in text:
    sys.exit(f"mutate: pattern not found in {src}: {old!r}")
open(dst, "w", encoding="utf-8").write(text.replace(old, new, 1))
PY
}

ensure_docker_compose
ensure_venv
work="$(mktemp -d)"
# Negative compose copies live beside the real file (relative paths); never leave one behind.
neg_compose_file="$repo/.validate-negative.docker-compose.yml"
trap 'rm -rf "$work" "$neg_compose_file"' EXIT

log "compose: $(docker-compose version --short) config"
check_compose "$repo/docker-compose.yml" || fail "docker-compose.yml"
# The TLS and secure variants change addresses on purpose (one server, advertised by name), so
# they only have to parse and resolve over the base file.
for override in compose.tls.yml compose.secure.yml; do
  log "compose: docker-compose.yml + deploy/$override config"
  docker-compose -f "$repo/docker-compose.yml" -f "$repo/deploy/$override" config -q || fail "deploy/$override"
done

log "Dockerfile: $("$venv/bin/hadolint" --version)"
check_dockerfile "$repo/Dockerfile" || fail "Dockerfile"

log "k8s: kustomize build deploy/k8s"
if kustomize_build "$repo/deploy/k8s" >"$work/rendered.yaml"; then
  check_k8s_rendered "$work/rendered.yaml" || fail "deploy/k8s"
else
  fail "kustomize build deploy/k8s"
fi

log "k8s: kustomize build deploy/k8s-secure (the secure variant)"
if kustomize_build "$repo/deploy/k8s-secure" >"$work/rendered-secure.yaml"; then
  check_k8s_rendered "$work/rendered-secure.yaml" || fail "deploy/k8s-secure"
else
  fail "kustomize build deploy/k8s-secure"
fi

if [[ -x "$bin_dir/jaeger" ]]; then
  log "e2e Jaeger config"
  "$bin_dir/jaeger" validate --config="file:$repo/e2e/jaeger/config.yaml" >/dev/null 2>&1 \
    || fail "e2e/jaeger/config.yaml (jaeger validate)"
fi

# --- negative checks: every validator must reject a broken input ------------------------------
# Compose files are mutated in the repo root so relative paths (build: ., ./flight_datasets)
# resolve as in the real file.
neg_compose() { # name, replacement
  local f="$neg_compose_file"
  mutate "$repo/docker-compose.yml" "$f" "$2"
  must_fail "$1" check_compose "$f"
  rm -f "$f"
}
neg_compose "compose: unknown service key" \
  '    command: ["server"]|||    command: ["server"]
    portz: ["8889"]'
neg_compose "compose: server container_name" \
  '    command: ["server"]|||    command: ["server"]
    container_name: server'
neg_compose "compose: fixed server host port" \
  '    command: ["server"]|||    command: ["server"]
    ports: ["8889:8889"]'
neg_compose "compose: one fixed coordinator host port" \
  '"127.0.0.1:${FLIGHT_COORDINATOR_PORTS:-8888-8891}:8888"|||"127.0.0.1:8888:8888"'
neg_compose "compose: coordinator status page not published" \
  '      - "127.0.0.1:${FLIGHT_COORDINATOR_HTTP_PORTS:-8080-8083}:8080"
|||'
neg_compose "compose: coordinator status page published beyond loopback" \
  '"127.0.0.1:${FLIGHT_COORDINATOR_HTTP_PORTS:-8080-8083}:8080"|||"${FLIGHT_COORDINATOR_HTTP_PORTS:-8080-8083}:8080"'
neg_compose "compose: Jaeger's OTLP receiver published" \
  '      - "127.0.0.1:${JAEGER_UI_PORT:-16686}:16686"|||      - "127.0.0.1:${JAEGER_UI_PORT:-16686}:16686"
      - "4317:4317"'
neg_compose "compose: servers wait for a healthy coordinator" \
  '      coordinator:
        condition: service_started|||      coordinator:
        condition: service_healthy'

mutate "$repo/Dockerfile" "$work/Dockerfile" 'USER 10001:10001|||USER root'
must_fail "Dockerfile: runs as root" check_dockerfile "$work/Dockerfile"

if [[ -f "$work/rendered.yaml" ]]; then
  neg_k8s() { # name, replacement
    mutate "$work/rendered.yaml" "$work/bad.yaml" "$2"
    must_fail "$1" check_k8s_rendered "$work/bad.yaml"
  }
  # An optional field: only strict mode (no unknown properties) can catch its misspelling.
  neg_k8s "k8s: misspelled optional field (strict schema)" \
    'terminationGracePeriodSeconds: 30|||terminationGracePeriodSecond: 30'
  neg_k8s "k8s: wrong type (schema)" 'replicas: 2|||replicas: two'
  neg_k8s "k8s: misspelled kind" 'kind: StatefulSet|||kind: StatefullSet'
  neg_k8s "k8s: Service selecting no pods (wiring)" 'clusterIP: None
  ports:
  - appProtocol: grpc
    name: flight
    port: 8889
    targetPort: flight
  selector:
    app.kubernetes.io/name: server|||clusterIP: None
  ports:
  - appProtocol: grpc
    name: flight
    port: 8889
    targetPort: flight
  selector:
    app.kubernetes.io/name: servers'
  neg_k8s "k8s: Service forwarding to a port its pods lack (wiring)" \
    'targetPort: http|||targetPort: status'
  neg_k8s "k8s: FLIGHT_HTTP_PORT not a container port (wiring)" \
    'containerPort: 8080|||containerPort: 8081'
  neg_k8s "k8s: malformed memory quantity" 'memory: 2Gi|||memory: 2Gx'
  neg_k8s "k8s: \$(VAR) never defined (wiring)" 'grpc://$(POD_IP):8889|||grpc://$(POD_ADDR):8889'
  neg_k8s "k8s: loopback advertise address (wiring)" 'grpc://$(POD_IP):8889|||grpc://localhost:8889'
  neg_k8s "k8s: servers register through the load-balanced Service (wiring)" \
    'value: grpc://coordinator-nodes:8888|||value: grpc://coordinator:8888'
  neg_k8s "k8s: coordinator-nodes hides not-ready pods (wiring)" \
    'publishNotReadyAddresses: true|||publishNotReadyAddresses: false'
  neg_k8s "k8s: PodDisruptionBudget selecting nothing (wiring)" \
    'minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: coordinator|||minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: coordinators'
fi
if [[ -f "$work/rendered-secure.yaml" ]]; then
  mutate "$work/rendered-secure.yaml" "$work/bad-secure.yaml" \
    'grpc+tls://$(POD_NAME).server:8889|||grpc+tls://$(POD_HOST).server:8889'
  must_fail "k8s-secure: advertise uses an undefined \$(VAR) (wiring)" check_k8s_rendered "$work/bad-secure.yaml"
fi

log "Grafana dashboard: JSON, and only metrics the processes export"
metrics_java="$repo/flight-otel/src/main/java/dev/flightcluster/otel/metrics/FlightMetrics.java"
python3 "$repo/deploy/check_dashboard.py" "$repo/deploy/grafana/flight-cluster.json" "$metrics_java" \
  || fail "deploy/grafana/flight-cluster.json"
broken_dashboard="$(mktemp)"
sed 's/flight_coordinator_servers/flight_coordinator_server_count/' "$repo/deploy/grafana/flight-cluster.json" >"$broken_dashboard"
if python3 "$repo/deploy/check_dashboard.py" "$broken_dashboard" "$metrics_java" 2>/dev/null; then
  fail "negative check 'dashboard: unknown metric' passed"
else
  log "negative check 'dashboard: unknown metric' rejected"
fi
rm -f "$broken_dashboard"

if ((failures > 0)); then
  echo "deploy validation: $failures failure(s)" >&2
  exit 1
fi
echo "deploy validation: all checks passed"
