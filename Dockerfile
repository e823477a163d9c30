# One image for every role (coordinator, server, client, demo): the role is the first argument.
#   docker build -t arrow-flight-cluster:local .
#   docker run --rm arrow-flight-cluster:local coordinator
#
# The base images are build arguments, defaulting to the public images; where no registry can be
# reached, deploy/images/build-base-images.sh makes local ones (RUNTIME_IMAGE=flight-cluster/jre:<N>).
# DIST=prebuilt copies the distribution a host build already made (./mvnw -pl cli -am package)
# instead of building it in the image:
#   docker build --build-arg DIST=prebuilt --build-arg RUNTIME_IMAGE=flight-cluster/jre:25 .
# Needs BuildKit (the default builder of Docker 23+): it builds only the stage DIST names.
ARG BUILD_IMAGE=eclipse-temurin:21-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre
ARG DIST=build

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# The wrapper pins Maven itself (.mvn/wrapper); the whole reactor is copied because -pl still
# reads every module's pom. .dockerignore keeps local data and all build output but the
# distribution out; a distribution built on the host is removed so none of its files can mix in.
COPY . .
# The cache mount keeps ~/.m2 between builds without baking it into a layer.
RUN --mount=type=cache,target=/root/.m2 \
    rm -rf cli/target \
 && ./mvnw -B -ntp package -DskipTests -pl cli -am \
 && test -x cli/target/flight-cluster/bin/flight-cluster

# The distribution the host's Maven build made.
FROM scratch AS prebuilt
COPY cli/target/flight-cluster/ /src/cli/target/flight-cluster/

# The stage DIST names (build or prebuilt).
FROM ${DIST} AS dist

FROM ${RUNTIME_IMAGE}
# jemalloc: the launcher preloads it for Arrow C++'s native memory (docs/decisions.md, D93). The local
# bases already have it (build-base-images.sh); a public base gets it from its own apt.
# A fixed uid so bind-mounted data dirs can be chowned to it (or the service run as the host user).
# The base's own release decides jemalloc's version, as it does the JRE's: no pin (DL3008).
# hadolint ignore=DL3008
RUN if ! ls /usr/lib/*-linux-gnu/libjemalloc.so.2 >/dev/null 2>&1; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libjemalloc2 \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --system --gid 10001 flight \
 && useradd --system --uid 10001 --gid flight --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin flight \
 && mkdir -p /data \
 && chown flight:flight /data
# Owned by root and read-only to the service user: the running process cannot alter its own code.
COPY --from=dist /src/cli/target/flight-cluster/ /opt/flight-cluster/

# JDK_JAVA_OPTIONS is read by the java launcher itself, so it applies whatever the start script
# does with JAVA_OPTS. MaxRAMPercentage sizes the heap from the container's memory limit, not the
# host's RAM; the other half of the limit is left for Arrow's off-heap buffers and Netty's direct
# memory. Arrow needs java.nio opened on every JVM.
ENV FLIGHT_DATASET_DIR=/data \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError --add-opens=java.base/java.nio=ALL-UNNAMED"
WORKDIR /data
USER 10001:10001
EXPOSE 8888 8889

# The health command is a second JVM: give it a tiny heap and the quick C1-only start so the
# probe does not compete with the service it probes, and generous deadlines, since on a busy host a
# JVM start alone can take seconds. FLIGHT_PORT picks the role's port
# (coordinator 8888; the default role's, server, is 8889).
HEALTHCHECK --interval=15s --timeout=30s --start-period=40s --retries=3 \
  CMD ["sh", "-c", "JDK_JAVA_OPTIONS='-Xmx48m -XX:TieredStopAtLevel=1 --add-opens=java.base/java.nio=ALL-UNNAMED' exec /opt/flight-cluster/bin/flight-cluster health --target grpc://127.0.0.1:${FLIGHT_PORT:-8889} --timeout 20s"]

ENTRYPOINT ["/opt/flight-cluster/bin/flight-cluster"]
CMD ["server"]
