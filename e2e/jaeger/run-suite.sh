#!/usr/bin/env bash
# The Jaeger end-to-end suite, from a fresh machine with only the toolchains (JDK 21+, Go, Python 3.10+):
#   1. builds the distribution if it is absent (cli/target/flight-cluster);
#   2. builds Jaeger once (install.sh, cached in ~/.cache/arrow-flight-cluster/bin/jaeger);
#   3. makes a venv with clients/python/requirements.txt + pytest, cached under
#      ~/.cache/arrow-flight-cluster/ and keyed by a hash of the requirements files and the Python;
#   4. runs pytest on clients/python/tests and e2e/jaeger: the last line printed is pytest's summary.
# Extra arguments go to pytest (e.g. -k hello, -x). Exit status: pytest's.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
cache="${AFC_CACHE_DIR:-$HOME/.cache/arrow-flight-cluster}"

export JAVA_HOME="$(scripts/java-home.sh)"
export PATH="$JAVA_HOME/bin:$PATH"

if [[ ! -x cli/target/flight-cluster/bin/flight-cluster ]]; then
  echo "== building the distribution (./mvnw -pl cli -am package)"
  ./mvnw -B -ntp -q -pl cli -am package -DskipTests
fi

e2e/jaeger/install.sh

python="${PYTHON:-python3}"
requirements=(clients/python/requirements.txt e2e/jaeger/requirements.txt)
key="$( { cat "${requirements[@]}"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)"
venv="$cache/jaeger-suite-venv-$key"
if [[ ! -f "$venv/.complete" ]]; then
  echo "== creating $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${requirements[@]/#/-r}"
  # Written last: a venv whose install was interrupted is made again, never half used.
  touch "$venv/.complete"
  # Venvs of older requirements are never used again.
  find "$cache" -maxdepth 1 -name 'jaeger-suite-venv-*' ! -name "jaeger-suite-venv-$key" -exec rm -rf {} +
fi

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/afc-jaeger-suite.XXXXXX")"
status=1
cleanup() {
  # The fixtures stop everything themselves; this catches what a killed pytest left behind, silently,
  # so pytest's summary stays the last line.
  if [[ -f "$run_dir/pids" ]]; then
    while read -r pid; do
      kill -0 "$pid" 2>/dev/null && kill -TERM -- "-$pid" 2>/dev/null || true
    done <"$run_dir/pids"
  fi
  JAEGER_RUN_DIR="$run_dir/jaeger" e2e/jaeger/stop.sh >/dev/null 2>&1 || true
  # Logs and data stay for a look after a failure.
  [[ $status -eq 0 ]] && rm -rf "$run_dir"
  return 0
}
trap cleanup EXIT

# Nothing from the caller's shell may redirect or switch off tracing, or reconfigure the cluster.
while IFS= read -r name; do unset "$name"; done < <(env | sed -n 's/^\(\(OTEL\|FLIGHT\)_[A-Za-z0-9_]*\)=.*/\1/p')

set +e
AFC_SUITE_RUN_DIR="$run_dir" PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest \
  -p no:cacheprovider -rfE \
  clients/python/tests e2e/jaeger "$@" &
pytest_pid=$!
# pytest runs in the background so that a signal to this script reaches it at once (bash would
# otherwise hold the signal until pytest ended); its SIGTERM handler then runs every finalizer.
trap 'kill -TERM "$pytest_pid" 2>/dev/null' TERM INT HUP
while true; do
  wait "$pytest_pid"
  status=$?
  kill -0 "$pytest_pid" 2>/dev/null || break # else wait was only interrupted by a signal
done
exit "$status"
