#!/usr/bin/env python3
"""Checks the project's rules on the *resolved* compose file (`docker-compose config` output).

The compose implementation already rejects invalid files; these are the rules it cannot know,
each of which breaks `docker compose up --scale server=N` or tracing without any error:
- server: no container_name and no published host port (both make a second replica fail),
  no FLIGHT_ADVERTISE (each replica must advertise its own container address), the coordinator
  reached by its service name, the dataset dir mounted read-write;
- coordinator: scalable too (`--scale coordinator=2`): no container_name, and its client port and its
  status page port (FLIGHT_HTTP_PORT) published on loopback from ranges of host ports (one fixed host port would clash between replicas), and not
  a dependency that servers wait on for health (it only becomes healthy once servers reached it);
- jaeger: only its UI/query port published, on loopback (OTLP stays inside the network);
- every Flight service: an OTLP endpoint on the jaeger service, its own OTEL_SERVICE_NAME, and a
  healthcheck that runs `flight-cluster health` against its own port.

    docker-compose config | check_compose.py -
"""

from __future__ import annotations

import sys

import yaml

FLIGHT_PORTS = {"coordinator": "8888", "server": "8889"}


def check(doc: dict) -> list[str]:
    errors = []
    services = doc.get("services") or {}
    for required in ("jaeger", "coordinator", "server"):
        if required not in services:
            errors.append(f"service {required!r} missing")
    if errors:
        return errors

    server = services["server"]
    env = server.get("environment") or {}
    if "container_name" in server:
        errors.append("server: container_name forbids --scale")
    if server.get("ports"):
        errors.append(f"server: published ports {server['ports']} clash between replicas")
    if "FLIGHT_ADVERTISE" in env:
        errors.append("server: FLIGHT_ADVERTISE set; every replica would advertise the same address")
    if env.get("FLIGHT_COORDINATOR") != "grpc://coordinator:8888":
        errors.append(f"server: FLIGHT_COORDINATOR={env.get('FLIGHT_COORDINATOR')!r}, expected grpc://coordinator:8888")
    volumes = server.get("volumes") or []
    data_mounts = [v for v in volumes if (v if isinstance(v, str) else v.get("source", "")).find("flight_datasets") >= 0]
    if not data_mounts:
        errors.append("server: ./flight_datasets is not mounted")
    elif any((isinstance(v, str) and v.endswith(":ro")) or (isinstance(v, dict) and v.get("read_only"))
             for v in data_mounts):
        errors.append("server: ./flight_datasets mounted read-only; DoPut needs to write")

    # Short syntax ("127.0.0.1:8888:8888/tcp", compose v1) or long syntax ({target: 8888}, v2).
    coordinator_ports = services["coordinator"].get("ports") or []
    if not any(str(p.get("target")) == "8888" if isinstance(p, dict) else str(p).split(":")[-1].split("/")[0] == "8888"
               for p in coordinator_ports):
        errors.append(f"coordinator: port 8888 not published ({coordinator_ports})")
    # The status page (FLIGHT_HTTP_PORT), published like the Flight port: from a range, on loopback.
    http_port = str((services["coordinator"].get("environment") or {}).get("FLIGHT_HTTP_PORT", ""))
    if not http_port:
        errors.append("coordinator: FLIGHT_HTTP_PORT not set; the status page would take the default port unpublished")
    elif not any(str(p.get("target")) == http_port if isinstance(p, dict) else str(p).split(":")[-1].split("/")[0] == http_port
                 for p in coordinator_ports):
        errors.append(f"coordinator: status page port {http_port} not published ({coordinator_ports})")

    coordinator = services["coordinator"]
    if "container_name" in coordinator:
        errors.append("coordinator: container_name forbids --scale")
    for p in coordinator_ports:
        published = str(p.get("published", "")) if isinstance(p, dict) else str(p).rsplit(":", 1)[0]
        host_ip = str(p.get("host_ip", "")) if isinstance(p, dict) else published.split(":")[0]
        if "-" not in published:
            errors.append(f"coordinator: port {p} is one host port; a second replica could not bind it (use a range)")
        if host_ip != "127.0.0.1":
            errors.append(f"coordinator: port {p} is not published on loopback only")
    # Only Jaeger's UI/query API leaves the network besides the coordinators' client port, on loopback.
    for p in services["jaeger"].get("ports") or []:
        target = str(p.get("target")) if isinstance(p, dict) else str(p).split(":")[-1].split("/")[0]
        host_ip = str(p.get("host_ip", "")) if isinstance(p, dict) else (str(p).split(":")[0] if str(p).count(":") == 2 else "")
        if target != "16686" or host_ip != "127.0.0.1":
            errors.append(f"jaeger: port {p} published; only the UI (16686) on 127.0.0.1 may be")
    waits_on = (server.get("depends_on") or {}).get("coordinator") or {}
    if isinstance(waits_on, dict) and waits_on.get("condition") == "service_healthy":
        errors.append("server: waits for a healthy coordinator, which waits for servers to become warm")

    for name, port in FLIGHT_PORTS.items():
        svc = services[name]
        env = svc.get("environment") or {}
        if env.get("OTEL_EXPORTER_OTLP_ENDPOINT") != "http://jaeger:4317":
            errors.append(f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT={env.get('OTEL_EXPORTER_OTLP_ENDPOINT')!r}")
        if env.get("OTEL_SERVICE_NAME") != name:
            errors.append(f"{name}: OTEL_SERVICE_NAME={env.get('OTEL_SERVICE_NAME')!r}, expected {name!r}")
        test = " ".join((svc.get("healthcheck") or {}).get("test") or [])
        if "flight-cluster health" not in test or f"grpc://127.0.0.1:{port}" not in test:
            errors.append(f"{name}: healthcheck does not run flight-cluster health on port {port}: {test!r}")
    return errors


def main(argv: list[str]) -> int:
    source = sys.stdin if len(argv) < 2 or argv[1] == "-" else open(argv[1], encoding="utf-8")
    errors = check(yaml.safe_load(source))
    for e in errors:
        print(f"ERROR compose: {e}", file=sys.stderr)
    if not errors:
        print("compose: project rules hold (scalable coordinator and server, tracing, healthchecks)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
