#!/usr/bin/env bash
# Makes the base images the Dockerfile and docker-compose.yml can start from without a registry, from
# what this machine already has, and prints the build arguments that select them (KEY=VALUE lines on
# stdout; progress goes to stderr):
#   flight-cluster/debian-base:<suite>  a minimal Debian root file system (debootstrap --variant=minbase
#                                       from this machine's configured apt mirror), loaded with `docker import`;
#   flight-cluster/jre:<java version>   a Java runtime made by jlink from the build JDK, with only the modules
#                                       in jre-modules.txt (checked against jdeps on the distribution);
#   flight-cluster/jaeger:<version>     the Jaeger binary e2e/jaeger/install.sh builds.
#
#   deploy/images/build-base-images.sh              # then, with its output in the environment:
#   docker compose up -d --build                    # builds our image on flight-cluster/jre
#
# Each image is made once: an image already in the engine carrying the same input key (a label) is kept.
# The debootstrap tarball is cached under ~/.cache/arrow-flight-cluster/images/, keyed by its inputs, so a
# fresh engine gets the base back with one `docker import` instead of a debootstrap run. Names no registry.
# Needs: a running Docker engine, root or sudo for debootstrap, a JDK 21+ (scripts/java-home.sh), and the
# distribution built (cli/target/flight-cluster) for the jdeps check.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/deploy/images"
cache="${AFC_CACHE_DIR:-$HOME/.cache/arrow-flight-cluster}"
image_cache="$cache/images"
dist="$repo/cli/target/flight-cluster"
JAEGER_BIN="${JAEGER_BIN:-$cache/bin/jaeger}"
# Jaeger's own release number for the binary install.sh builds (its module tag is v1.76.0).
JAEGER_VERSION="${JAEGER_VERSION:-2.13.0}"
LABEL=dev.flightcluster.inputs

log() { printf '== base images: %s\n' "$*" >&2; }
die() { printf 'build-base-images: %s\n' "$*" >&2; exit 1; }

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd first; e2e/compose/run-suite.sh does)"

# has_image NAME KEY: the engine holds NAME, made from the inputs KEY.
has_image() {
  [[ "$(docker image inspect --format "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null)" == "$2" ]]
}

# Builds TAG from the context dir CONTEXT (a Dockerfile written there by the caller). The classic
# builder: these Dockerfiles need nothing from BuildKit, and it is in every engine.
build_image() { # tag context
  DOCKER_BUILDKIT=0 docker build -q -t "$1" "$2" >/dev/null 2>"$2/.build.log" \
    || { cat "$2/.build.log" >&2; die "docker build $1 failed"; }
}

# The first mirror this machine's apt uses for the main archive of its own release: deb822 .sources
# (URIs/Suites) or one-line `deb URL SUITE` entries. Security and third-party repositories are skipped.
apt_mirror() { # suite
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    python3 - "$f" "$1" <<'PY' && return 0
import re, sys
path, suite = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
if path.endswith(".sources"):
    for stanza in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
        if "deb" in fields.get("Types", "").split() and suite in fields.get("Suites", "").split() \
                and fields.get("Enabled", "yes") != "no":
            print(fields["URIs"].split()[0]); sys.exit(0)
else:
    for line in text.splitlines():
        m = re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line)
        if m and m.group(2) == suite:
            print(m.group(1)); sys.exit(0)
sys.exit(1)
PY
  done
  return 1
}

# --- Debian base --------------------------------------------------------------------------------
. /etc/os-release
suite="${DEBIAN_SUITE:-${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}}"
mirror="${DEBIAN_MIRROR:-$(apt_mirror "$suite")}" || die "no apt mirror for $suite in /etc/apt/sources.list*"
arch="$(dpkg --print-architecture)"
if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq debootstrap >/dev/null
fi
base_image="flight-cluster/debian-base:$suite"
# Everything the root file system is made from: a change to any of them makes a new one.
# libjemalloc2: the launcher preloads it for Arrow C++'s native memory (docs/decisions.md, D93).
base_packages=libjemalloc2
base_key="$(printf '%s\n' "$suite" "$mirror" "$arch" minbase "$base_packages" "$(debootstrap --version)" | sha256sum | cut -c1-16)"
base_tar="$image_cache/debian-$suite-$arch-minbase-$base_key.tar.gz"
if has_image "$base_image" "$base_key"; then
  log "$base_image is current"
else
  if [[ ! -f "$base_tar" ]]; then
    log "debootstrap $suite (minbase, $arch) from $mirror"
    mkdir -p "$image_cache"
    rootfs="$(mktemp -d "${TMPDIR:-/tmp}/afc-rootfs.XXXXXX")"
    trap '$sudo rm -rf "$rootfs"' EXIT
    $sudo debootstrap --variant=minbase --include="$base_packages" --arch="$arch" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
      || { tail -n 30 "$rootfs.log" >&2; die "debootstrap failed (log: $rootfs.log)"; }
    rm -f "$rootfs.log"
    # What only makes the image bigger: downloaded .debs, apt lists, docs and man pages.
    $sudo rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    # Written to a temp name and renamed: an interrupted run never leaves a tarball that looks finished.
    $sudo tar -C "$rootfs" --numeric-owner -czf "$base_tar.tmp" .
    $sudo chown "$(id -u):$(id -g)" "$base_tar.tmp"
    mv "$base_tar.tmp" "$base_tar"
    $sudo rm -rf "$rootfs"
    trap - EXIT
    # Tarballs of older inputs are never used again.
    find "$image_cache" -maxdepth 1 -name "debian-$suite-$arch-minbase-*.tar.gz" ! -name "$(basename "$base_tar")" -delete
  fi
  log "docker import $(basename "$base_tar") as $base_image"
  docker import --change "LABEL $LABEL=$base_key" --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$base_tar" "$base_image" >/dev/null
fi

# --- Java runtime ------------------------------------------------------------------------------
export JAVA_HOME="${JAVA_HOME:-$("$repo/scripts/java-home.sh")}"
java_version="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.runtime\.version = //p')"
java_feature="${java_version%%[.+-]*}"
modules="$(grep -v '^#' "$here/jre-modules.txt" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')"
jre_image="flight-cluster/jre:$java_feature"
[[ -x "$dist/bin/flight-cluster" ]] || die "no distribution at $dist: build it first (./mvnw -pl cli -am package)"
# jdeps names every module the distribution's classes use; the list must hold them all, or a class
# would fail to load at run time inside the image only.
# (From the CLI's jar, recursively: the libraries' own modular jars cannot all be roots of one analysis.)
# Its answer is kept per set of jars (their hashes), as it takes a minute on a busy machine.
jdeps_answer="$image_cache/jdeps-$( { sha256sum "$dist"/lib/*.jar | cut -d' ' -f1; echo "$java_version"; } | sha256sum | cut -c1-16)"
if [[ ! -f "$jdeps_answer" ]]; then
  mkdir -p "$image_cache"
  find "$image_cache" -maxdepth 1 -name 'jdeps-*' -delete
  "$JAVA_HOME/bin/jdeps" --ignore-missing-deps -q --recursive --print-module-deps --multi-release "$java_feature" \
    --class-path "$dist/lib/*" "$dist"/lib/cli-*.jar >"$jdeps_answer.tmp" || die "jdeps failed on $dist/lib"
  mv "$jdeps_answer.tmp" "$jdeps_answer"
fi
needed="$(cat "$jdeps_answer")"
missing="$(comm -23 <(tr ',' '\n' <<<"$needed" | sort -u) <(tr ',' '\n' <<<"$modules" | sort -u))"
[[ -z "$missing" ]] || die "deploy/images/jre-modules.txt lacks modules the distribution uses: $(echo $missing)"
jre_key="$(printf '%s\n' "$base_key" "$java_version" "$JAVA_HOME" "$modules" | sha256sum | cut -c1-16)"
if has_image "$jre_image" "$jre_key"; then
  log "$jre_image is current"
else
  log "jlink $java_version: $modules"
  work="$(mktemp -d "${TMPDIR:-/tmp}/afc-jre.XXXXXX")"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --generate-cds-archive --output "$work/jre" >&2
  # The layout of the public Temurin images (JAVA_HOME=/opt/java/openjdk), so the Dockerfile and the
  # distribution's launcher treat both bases alike.
  cat >"$work/Dockerfile" <<EOF
FROM $base_image
COPY jre /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \\
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL $LABEL=$jre_key
RUN ["java", "-version"]
EOF
  build_image "$jre_image" "$work"
  rm -rf "$work"
fi

# --- Jaeger -------------------------------------------------------------------------------------
jaeger_image="flight-cluster/jaeger:$JAEGER_VERSION"
[[ -x "$JAEGER_BIN" ]] || "$repo/e2e/jaeger/install.sh" >&2
jaeger_key="$(printf '%s\n' "$base_key" "$(sha256sum <"$JAEGER_BIN")" | sha256sum | cut -c1-16)"
if has_image "$jaeger_image" "$jaeger_key"; then
  log "$jaeger_image is current"
else
  log "$jaeger_image from $JAEGER_BIN"
  work="$(mktemp -d "${TMPDIR:-/tmp}/afc-jaeger.XXXXXX")"
  cp "$JAEGER_BIN" "$work/jaeger"
  # As Jaeger's official image: its built-in all-in-one configuration (in-memory storage), every
  # endpoint on all interfaces of the container, a non-root user. The binary is built without the
  # UI's web assets: the query API answers, the UI page does not.
  cat >"$work/Dockerfile" <<EOF
FROM $base_image
COPY jaeger /cmd/jaeger/jaeger-linux
ENV JAEGER_LISTEN_HOST=0.0.0.0
LABEL $LABEL=$jaeger_key
EXPOSE 4317 4318 13133 16686
USER 10001
ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]
EOF
  build_image "$jaeger_image" "$work"
  rm -rf "$work"
fi

docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^flight-cluster/' | sed 's/^/== base images: /' >&2
# The build arguments and images docker-compose.yml reads from the environment.
echo "FLIGHT_RUNTIME_IMAGE=$jre_image"
echo "JAEGER_IMAGE=$jaeger_image"
