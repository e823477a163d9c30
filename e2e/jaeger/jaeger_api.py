"""A small client of Jaeger's HTTP query API, and the span trees the suite asserts on.

Two APIs, both on 127.0.0.1:16686:
- `/api/traces/<id>` and `/api/traces?service=...` (the UI's JSON: spans with `references`,
  `tags`, and `processes` holding each span's service);
- `/api/v3/traces` (OTLP JSON: resourceSpans > scopeSpans > spans with `parentSpanId`).
Both are read into the same `Span` so an assertion reads the same whichever API answered.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, TypeVar

QUERY_URL = "http://127.0.0.1:16686"

# gRPC spans of opentelemetry-grpc-1.6, named "<service>/<method>".
FLIGHT_SERVICE = "arrow.flight.protocol.FlightService"

T = TypeVar("T")


def grpc(method: str) -> str:
    return f"{FLIGHT_SERVICE}/{method}"


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None  # None for a root span
    name: str
    service: str
    kind: str  # "client", "server", "internal", ...
    start_us: int
    attributes: dict = field(hash=False)
    resource: dict = field(hash=False)  # service.name, service.instance.id, telemetry.sdk.language

    @property
    def instance(self) -> str | None:
        """Which process emitted the span (the SDKs give every process a service.instance.id)."""
        return self.resource.get("service.instance.id")

    def describe(self) -> str:
        interesting = {k: v for k, v in self.attributes.items()
                       if k.startswith("flight.") or k in ("num_rows", "server.id")}
        return f"{self.service}:{self.kind}:{self.name} {interesting}".rstrip(" {}")


@dataclass
class Trace:
    trace_id: str
    spans: list[Span]

    def named(self, name: str, service: str | None = None, kind: str | None = None) -> list[Span]:
        return [s for s in self.spans if s.name == name and (service is None or s.service == service)
                and (kind is None or s.kind == kind)]

    def one(self, name: str, service: str | None = None, kind: str | None = None) -> Span:
        found = self.named(name, service, kind)
        assert len(found) == 1, f"expected one {service}:{kind}:{name} span, found {len(found)} in\n{self}"
        return found[0]

    def children(self, parent: Span, name: str | None = None, service: str | None = None,
                 kind: str | None = None) -> list[Span]:
        return [s for s in self.spans if s.parent_id == parent.span_id
                and (name is None or s.name == name) and (service is None or s.service == service)
                and (kind is None or s.kind == kind)]

    def child(self, parent: Span, name: str, service: str | None = None, kind: str | None = None) -> Span:
        found = self.children(parent, name, service, kind)
        assert len(found) == 1, (f"expected one {service}:{kind}:{name} child of {parent.describe()}, "
                                 f"found {len(found)} in\n{self}")
        return found[0]

    def roots(self) -> list[Span]:
        return [s for s in self.spans if s.parent_id is None]

    def services(self) -> set[str]:
        return {s.service for s in self.spans}

    def start_us(self) -> int:
        return min(s.start_us for s in self.spans)

    def names(self) -> list[str]:
        return sorted(f"{s.service}:{s.name}" for s in self.spans)

    def __str__(self) -> str:
        """The span tree, indented, for assertion messages."""
        by_parent: dict[str | None, list[Span]] = {}
        ids = {s.span_id for s in self.spans}
        for s in sorted(self.spans, key=lambda s: s.start_us):
            by_parent.setdefault(s.parent_id if s.parent_id in ids else None, []).append(s)
        lines = [f"trace {self.trace_id}:"]

        def walk(parent: str | None, depth: int) -> None:
            for s in by_parent.get(parent, []):
                orphan = " (parent not in trace)" if depth == 0 and s.parent_id else ""
                lines.append("  " * (depth + 1) + s.describe() + orphan)
                walk(s.span_id, depth + 1)

        walk(None, 0)
        return "\n".join(lines)


# A resource attribute every process of one suite run carries (OTEL_RESOURCE_ATTRIBUTES), so that
# searches see only this run's processes even if something else on the machine exports to the
# same Jaeger.
RUN_ATTRIBUTE = "afc.suite.run"


class Jaeger:
    def __init__(self, run_id: str, base_url: str = QUERY_URL):
        self.run_id = run_id
        self.base_url = base_url

    def _ours(self, traces: list[Trace]) -> list[Trace]:
        return [t for t in traces if any(s.resource.get(RUN_ATTRIBUTE) == self.run_id for s in t.spans)]

    def _get(self, path: str, params: dict | None = None) -> dict | None:
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise AssertionError(f"GET {url}: HTTP {error.code}: {error.read()[:500]!r}") from error

    def services(self) -> list[str]:
        return (self._get("/api/services") or {}).get("data") or []

    # --- /api/traces (the UI's API) ----------------------------------------------------------
    def trace(self, trace_id: str) -> Trace | None:
        """The trace as stored so far, or None when Jaeger has no span of it yet."""
        body = self._get(f"/api/traces/{trace_id}")
        traces = _from_ui_json(body)
        return traces[0] if traces else None

    def find_traces(self, service: str, start_us: int, end_us: int, operation: str | None = None,
                    limit: int = 1000) -> list[Trace]:
        """This run's traces with a span of `service` (and `operation`) starting in [start_us, end_us]."""
        params = {"service": service, "start": start_us, "end": end_us, "limit": limit}
        if operation:
            params["operation"] = operation
        return self._ours(_from_ui_json(self._get("/api/traces", params)))

    # --- /api/v3/traces (OTLP JSON) ----------------------------------------------------------
    def find_traces_v3(self, service: str, start_us: int, end_us: int, limit: int = 1000) -> list[Trace]:
        params = {
            "query.service_name": service,
            "query.start_time_min": _rfc3339(start_us),
            "query.start_time_max": _rfc3339(end_us),
            "query.num_traces": limit,
        }
        return self._ours(_from_otlp_json(self._get("/api/v3/traces", params)))


def eventually(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.25,
               what: str = "condition") -> T:
    """Calls `check` until it returns without an AssertionError, at most `timeout` seconds (like
    Awaitility's untilAsserted); then raises its last AssertionError. Returns what `check` returned."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError as error:
            if time.monotonic() >= deadline:
                raise AssertionError(f"{what}: still failing after {timeout:.0f} s: {error}") from error
        time.sleep(interval)


def now_us() -> int:
    return time.time_ns() // 1000


def _rfc3339(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _from_ui_json(body: dict | None) -> list[Trace]:
    traces = []
    for t in (body or {}).get("data") or []:
        processes = {pid: {"service.name": p["serviceName"], **{tag["key"]: tag["value"] for tag in p.get("tags", [])}}
                     for pid, p in t.get("processes", {}).items()}
        spans = []
        for s in t.get("spans", []):
            tags = {tag["key"]: tag["value"] for tag in s.get("tags", [])}
            parents = [r["spanID"] for r in s.get("references", []) if r.get("refType") == "CHILD_OF"]
            resource = processes.get(s.get("processID"), {})
            spans.append(Span(
                trace_id=s["traceID"], span_id=s["spanID"], parent_id=parents[0] if parents else None,
                name=s["operationName"], service=resource.get("service.name", "?"),
                kind=str(tags.pop("span.kind", "internal")), start_us=int(s["startTime"]),
                attributes=tags, resource=resource))
        traces.append(Trace(t["traceID"], spans))
    return traces


_OTLP_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def _otlp_value(value: dict):
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])  # OTLP JSON sends 64-bit integers as strings
    return value


def _otlp_attributes(attributes: list) -> dict:
    return {a["key"]: _otlp_value(a.get("value", {})) for a in attributes or []}


def _from_otlp_json(body: dict | None) -> list[Trace]:
    by_trace: dict[str, list[Span]] = {}
    for resource_spans in ((body or {}).get("result") or {}).get("resourceSpans") or []:
        resource = _otlp_attributes(resource_spans.get("resource", {}).get("attributes"))
        for scope_spans in resource_spans.get("scopeSpans") or []:
            for s in scope_spans.get("spans") or []:
                kind = s.get("kind", 0)
                by_trace.setdefault(s["traceId"], []).append(Span(
                    trace_id=s["traceId"], span_id=s["spanId"], parent_id=s.get("parentSpanId") or None,
                    name=s["name"], service=str(resource.get("service.name", "?")),
                    kind=_OTLP_KINDS.get(kind, str(kind)) if isinstance(kind, int)
                    else str(kind).lower().removeprefix("span_kind_"),
                    start_us=int(s["startTimeUnixNano"]) // 1000,
                    attributes=_otlp_attributes(s.get("attributes")), resource=resource))
    return [Trace(trace_id, spans) for trace_id, spans in by_trace.items()]
