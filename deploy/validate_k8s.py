#!/usr/bin/env python3
"""Validates rendered Kubernetes manifests offline; exits 1 on any problem.

1. Schema: every object against the official Kubernetes JSON schemas (generated from the
   API server's OpenAPI document, shipped inside the kubernetes-validate package), in *strict*
   mode, so an unknown or misindented field fails too. Checked for the oldest and the newest
   Kubernetes version we support. A kind without a schema is an error, not a warning: a typo in
   `kind` would otherwise pass unchecked.
2. Wiring the schema cannot see, each of which a real cluster accepts silently and then
   misbehaves: Services whose selector matches no pod template, workload selectors not matching
   their own template, a StatefulSet whose serviceName is not a headless Service, `$(VAR)`
   references to variables not defined earlier in the container (Kubernetes leaves them
   unexpanded), malformed resource quantities, loopback addresses in FLIGHT_ADVERTISE/FLIGHT_COORDINATOR, probes naming a port
   the container lacks, a FLIGHT_HTTP_PORT that is not a declared container port, a Service
   targetPort name its pods do not declare, containers without probes or resource requests/limits,
   PodDisruptionBudgets selecting no pod template, and a FLIGHT_COORDINATOR that is not a headless
   Service publishing not-ready addresses (servers must reach every coordinator pod, ready or not).

    validate_k8s.py RENDERED.yaml [--k8s-versions 1.27.0,1.37.0]
"""

from __future__ import annotations

import argparse
import re
import sys

import yaml
from kubernetes_validate import utils as kv

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
VAR_REF = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
# The API server's resource.Quantity syntax; the JSON schemas type quantities as bare strings.
QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$")
LOOPBACK = re.compile(r"\b(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)\b")


def name_of(obj: dict) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def schema_errors(objs: list[dict], versions: list[str]) -> list[str]:
    errors = []
    for obj in objs:
        for version in versions:
            try:
                kv.validate(obj, version, strict=True)
            except kv.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                errors.append(f"{name_of(obj)} (k8s {e.version}): {path}: {e.message}")
            except kv.SchemaNotFoundError:
                errors.append(f"{name_of(obj)}: no schema for apiVersion {obj.get('apiVersion')!r} "
                              f"kind {obj.get('kind')!r} in k8s {version}")
    return errors


def _matches(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _probe_ports(container: dict):
    for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = container.get(probe_name) or {}
        for handler in ("httpGet", "tcpSocket", "grpc"):
            if handler in probe:
                yield probe_name, probe[handler].get("port")


def _coordinator_errors(value: str, services: dict) -> list[str]:
    """Each FLIGHT_COORDINATOR host that names a Service here must be headless (one DNS record per
    coordinator pod, so a server registers with every one) and publish not-ready addresses (a
    coordinator becomes ready only after servers reached it)."""
    errors = []
    for uri in (u.strip() for u in value.split(",") if u.strip()):
        host = re.sub(r"^[a-z+]+://", "", uri).rsplit(":", 1)[0].split(".")[0]
        svc = services.get(host)
        if svc is None:
            continue
        spec = svc.get("spec") or {}
        if spec.get("clusterIP") != "None":
            errors.append(f"FLIGHT_COORDINATOR={uri}: Service {host!r} is not headless, so a server reaches one coordinator only")
        if not spec.get("publishNotReadyAddresses"):
            errors.append(f"FLIGHT_COORDINATOR={uri}: Service {host!r} hides coordinators that are not ready yet")
    return errors


def wiring_errors(objs: list[dict]) -> list[str]:
    errors = []
    workloads = [o for o in objs if o.get("kind") in WORKLOAD_KINDS]
    services = {o["metadata"]["name"]: o for o in objs if o.get("kind") == "Service"}

    for svc in services.values():
        selector = svc.get("spec", {}).get("selector") or {}
        if selector and not any(_matches(selector, w["spec"]["template"]["metadata"].get("labels", {}))
                                for w in workloads):
            errors.append(f"{name_of(svc)}: selector {selector} matches no pod template")
        # A named targetPort must be a port the selected pods declare, or the Service forwards nowhere.
        selected = [w for w in workloads if _matches(selector, w["spec"]["template"]["metadata"].get("labels", {}))]
        declared = {p.get("name") for w in selected for c in w["spec"]["template"]["spec"].get("containers", [])
                    for p in c.get("ports", [])}
        for port in svc.get("spec", {}).get("ports") or []:
            target = port.get("targetPort")
            if selected and isinstance(target, str) and target not in declared:
                errors.append(f"{name_of(svc)}: targetPort {target!r} is not a port of the pods it selects")

    for pdb in (o for o in objs if o.get("kind") == "PodDisruptionBudget"):
        match = ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        if not any(_matches(match, w["spec"]["template"]["metadata"].get("labels", {})) for w in workloads):
            errors.append(f"{name_of(pdb)}: selector {match} matches no pod template")

    for w in workloads:
        spec = w["spec"]
        labels = spec["template"]["metadata"].get("labels", {})
        match = (spec.get("selector") or {}).get("matchLabels") or {}
        if not _matches(match, labels):
            errors.append(f"{name_of(w)}: selector {match} does not match its template labels {labels}")
        if w["kind"] == "StatefulSet":
            svc = services.get(spec.get("serviceName"))
            if svc is None or svc["spec"].get("clusterIP") != "None":
                errors.append(f"{name_of(w)}: serviceName {spec.get('serviceName')!r} is not a headless Service here")

        for c in spec["template"]["spec"].get("containers", []):
            where = f"{name_of(w)} container {c['name']}"
            defined: set[str] = set()
            for env in c.get("env", []):
                for ref in VAR_REF.findall(env.get("value", "")):
                    if ref not in defined:
                        errors.append(f"{where}: env {env['name']} uses $({ref}) before {ref} is defined")
                if env["name"] in ("FLIGHT_ADVERTISE", "FLIGHT_COORDINATOR") and LOOPBACK.search(env.get("value", "")):
                    errors.append(f"{where}: {env['name']}={env['value']} is a loopback address other pods cannot reach")
                if env["name"] == "FLIGHT_COORDINATOR":
                    errors.extend(f"{where}: {e}" for e in _coordinator_errors(env.get("value", ""), services))
                defined.add(env["name"])

            port_names = {p.get("name") for p in c.get("ports", [])}
            port_numbers = {p.get("containerPort") for p in c.get("ports", [])}
            http_port = next((e.get("value") for e in c.get("env", []) if e["name"] == "FLIGHT_HTTP_PORT"), None)
            if http_port is not None and int(http_port) not in port_numbers:
                errors.append(f"{where}: FLIGHT_HTTP_PORT={http_port} is not a declared container port")
            for probe_name, port in _probe_ports(c):
                if port not in port_names and port not in port_numbers:
                    errors.append(f"{where}: {probe_name} port {port!r} is not a declared container port")
            for required in ("readinessProbe", "livenessProbe"):
                if required not in c:
                    errors.append(f"{where}: no {required}")
            resources = c.get("resources") or {}
            for part in ("requests", "limits"):
                if not (resources.get(part) or {}).get("memory"):
                    errors.append(f"{where}: no memory {part}")
                for resource, value in (resources.get(part) or {}).items():
                    if not QUANTITY.match(str(value)):
                        errors.append(f"{where}: {part}.{resource}={value!r} is not a Kubernetes quantity")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rendered", help="multi-document YAML, e.g. the output of kustomize build")
    # 1.27: gRPC probes are GA from there on; the newest is what the schema package ships.
    parser.add_argument("--k8s-versions", default="1.27.0,1.37.0")
    args = parser.parse_args(argv)

    with open(args.rendered, encoding="utf-8") as f:
        objs = [d for d in yaml.safe_load_all(f) if d is not None]
    if not objs:
        print(f"{args.rendered}: no objects", file=sys.stderr)
        return 1
    bad = [d for d in objs if not isinstance(d, dict) or "kind" not in d or "apiVersion" not in d]
    if bad:
        print(f"{args.rendered}: {len(bad)} document(s) without apiVersion/kind", file=sys.stderr)
        return 1

    versions = [v.strip() for v in args.k8s_versions.split(",") if v.strip()]
    errors = schema_errors(objs, versions) + wiring_errors(objs)
    for e in errors:
        print(f"ERROR {e}", file=sys.stderr)
    if errors:
        print(f"k8s: {len(errors)} problem(s) in {len(objs)} objects", file=sys.stderr)
        return 1
    print(f"k8s: {len(objs)} objects valid (strict schemas of k8s {', '.join(versions)}; wiring checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
