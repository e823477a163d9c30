#!/usr/bin/env bash
# Builds the Jaeger v2 all-in-one binary from source through the Go module proxy, once per machine.
#
# Why not `go install github.com/jaegertracing/jaeger/cmd/jaeger@v2.x`: Jaeger's go.mod says
# `module github.com/jaegertracing/jaeger` (no /v2 suffix), so the proxy refuses every v2.x tag;
# each v2 release is also tagged v1.(x+63), which it does serve. And `go install pkg@version`
# refuses modules whose go.mod has replace directives (Jaeger has one), so we download the
# module and build inside it, which honours its go.mod and go.sum exactly.
# v1.76.0 is the tag of Jaeger v2.13.0 (CHANGELOG: "v1.76.0 / v2.13.0"), the newest the proxy serves here.
set -euo pipefail

JAEGER_MODULE_VERSION="${JAEGER_MODULE_VERSION:-v1.76.0}"
JAEGER_V2_VERSION="${JAEGER_V2_VERSION:-v2.13.0}"
BIN_DIR="${AFC_BIN_DIR:-$HOME/.cache/arrow-flight-cluster/bin}"
JAEGER_BIN="$BIN_DIR/jaeger"

if [[ -x "$JAEGER_BIN" ]]; then
  echo "jaeger already installed: $JAEGER_BIN"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build jaeger" >&2; exit 1; }
mkdir -p "$BIN_DIR"

start=$(date +%s)
# GOFLAGS from the environment (e.g. -mod=vendor) must not leak into a foreign module's build.
module_dir=$(cd / && GOFLAGS= go mod download -json "github.com/jaegertracing/jaeger@${JAEGER_MODULE_VERSION}" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -n "$module_dir" && -d "$module_dir/cmd/jaeger" ]] || { echo "could not download jaeger ${JAEGER_MODULE_VERSION}" >&2; exit 1; }

version_pkg=github.com/jaegertracing/jaeger/internal/version
# Build to a temp name and rename, so an interrupted build never leaves a half-written binary
# that the -x check above would take for a finished one.
(cd "$module_dir" && GOFLAGS=-buildvcs=false go build -trimpath \
  -ldflags "-s -w -X ${version_pkg}.latestVersion=${JAEGER_V2_VERSION} -X ${version_pkg}.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -o "$JAEGER_BIN.tmp" ./cmd/jaeger)
mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"

echo "built jaeger ${JAEGER_V2_VERSION} (module ${JAEGER_MODULE_VERSION}) in $(( $(date +%s) - start ))s: $JAEGER_BIN ($(du -h "$JAEGER_BIN" | cut -f1))"
