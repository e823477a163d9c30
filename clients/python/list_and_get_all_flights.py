#!/usr/bin/env python3
"""Lists every flight the coordinator knows and reads all of them, traced with OpenTelemetry.

The Python client of the original Arrow Flight + OpenTelemetry example, adapted to the cluster:
the coordinator's FlightInfo has one endpoint whose locations are all live replicas, so the
client reads every endpoint of every flight and moves on to the next location of an endpoint
when one fails (a server that died since the listing answers UNAVAILABLE; a stopped one sends
nothing for the progress timeout). --coordinator takes a comma-separated list: the listing comes
from the first coordinator that answers (failover.py).

Spans: list_and_get_all_flights (root) > get_single_flight (one per flight)
       > connect_temp_client, do_get (num_rows), one pair per location tried.

    python list_and_get_all_flights.py [--coordinator grpc://HOST:PORT[,grpc://HOST:PORT...]] [--json]
        [--connect-timeout SECONDS] [--progress-timeout SECONDS] [--tls-ca FILE]

Prints the rows read per flight, then `trace id: <32 hex>` (as the Java CLI does), or with --json one
object {"flights": {dataset: rows}, "trace_id": "<32 hex>" or null when tracing is off}.

Importable: list_and_get_all_flights(uris) returns {dataset name: rows read}.
"""

from __future__ import annotations

import argparse
import json
import sys

import pyarrow.flight as flight
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from failover import (DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROGRESS_TIMEOUT, Coordinators, ProgressWatchdog,
                      coordinator_uris)
from flight_tracing import connect, init_tracing
from tls import tls_root_certs

# A replica that is gone, stopped, slow or no longer holds the file may still be served by another
# one; any other error (bad ticket, auth) would fail on every replica alike.
_FAILOVER_ERRORS = (flight.FlightUnavailableError, flight.FlightTimedOutError)
_NOT_FOUND_MARKERS = ("NOT_FOUND", "not found")

# Flight's way of saying "redeem the ticket on the service that gave you the FlightInfo".
_REUSE_CONNECTION = "arrow-flight-reuse-connection://?"


class EndpointUnreadable(Exception):
    """No location of an endpoint could serve its ticket."""


def dataset_name(info: flight.FlightInfo) -> str:
    path = info.descriptor.path or []
    if len(path) == 1:
        p = path[0]
        return p.decode("utf-8") if isinstance(p, bytes) else p
    # Not a cluster descriptor; still give it a stable printable name.
    return repr(info.descriptor)


def _should_fail_over(error: Exception) -> bool:
    if isinstance(error, _FAILOVER_ERRORS):
        return True
    return isinstance(error, flight.FlightError) and any(m in str(error) for m in _NOT_FOUND_MARKERS)


def _read_endpoint(tracer, coordinators: list[str], endpoint: flight.FlightEndpoint,
                   options: flight.FlightCallOptions, connect_timeout: float,
                   progress_timeout: float, tls_ca: bytes | None = None) -> tuple[int, str]:
    """Reads one endpoint, trying its locations in order; returns (rows, location used)."""
    locations = [loc.uri.decode("utf-8") if isinstance(loc.uri, bytes) else str(loc.uri)
                 for loc in endpoint.locations]
    targets: list[str] = []
    for location in locations or [_REUSE_CONNECTION]:
        # Served by the service that gave out the FlightInfo: any coordinator serves the same.
        reuse = location.startswith("arrow-flight-reuse-connection:")
        targets.extend(u for u in (coordinators if reuse else [location]) if u not in targets)

    failures: list[str] = []
    for target in targets:
        with tracer.start_as_current_span("connect_temp_client") as span:
            span.set_attribute("flight.location", target)
            client = connect(target, connect_timeout, tls_ca)
        try:
            with tracer.start_as_current_span("do_get") as span:
                span.set_attribute("flight.location", target)
                try:
                    reader = client.do_get(endpoint.ticket, options)
                    # Count batch by batch: a big dataset never has to fit in memory at once.
                    rows = 0
                    batches = 0
                    with ProgressWatchdog(reader, progress_timeout) as watch:
                        while (chunk := watch.read_chunk()) is not None:
                            if chunk.data is not None:
                                rows += chunk.data.num_rows
                                batches += 1
                except Exception as error:  # noqa: BLE001 - re-raised unless another replica may help
                    if not _should_fail_over(error):
                        raise  # the span records it on the way out
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, str(error)))
                    failures.append(f"{target}: {error}")
                    # Rows of a stream that broke half-way are dropped: the next replica
                    # sends the whole endpoint again.
                    continue
                span.set_attribute("num_rows", rows)
                span.set_attribute("flight.batches", batches)
                return rows, target
        finally:
            client.close()
    raise EndpointUnreadable("; ".join(failures) or "no location")


def get_single_flight(tracer, coordinators: list[str], info: flight.FlightInfo,
                      options: flight.FlightCallOptions, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                      progress_timeout: float = DEFAULT_PROGRESS_TIMEOUT, tls_ca: bytes | None = None) -> int:
    name = dataset_name(info)
    with tracer.start_as_current_span("get_single_flight") as span:
        span.set_attribute("flight.dataset", name)
        total = 0
        for endpoint in info.endpoints:
            rows, _ = _read_endpoint(tracer, coordinators, endpoint, options, connect_timeout,
                                     progress_timeout, tls_ca)
            total += rows
        span.set_attribute("flight.rows", total)
        return total


def list_and_get_all_flights(coordinator_location: str | list[str] | None = None, timeout: float | None = 60.0,
                             errors: dict[str, str] | None = None,
                             trace_ids: list[str | None] | None = None,
                             connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                             progress_timeout: float = DEFAULT_PROGRESS_TIMEOUT,
                             tls_ca: bytes | None = None) -> dict[str, int]:
    """Returns {dataset: rows} for every flight read; unreadable ones go into `errors`.

    `coordinator_location` is one URI, a comma-separated list or a list: the listing comes from the
    first that answers. `timeout` bounds each listing call; a read is bounded by `progress_timeout`
    between messages instead, as a large dataset may rightly take long.

    The root span's trace id (None when tracing is off) is appended to `trace_ids` as soon as the
    span starts, so a caller learns it even when the run fails. `tls_ca`: PEM CA certificates for
    grpc+tls:// locations (tls.tls_root_certs).
    """
    tracer = init_tracing("client")
    uris = coordinator_uris(coordinator_location)
    options = flight.FlightCallOptions(timeout=timeout)
    counts: dict[str, int] = {}
    with tracer.start_as_current_span("list_and_get_all_flights") as root:
        if trace_ids is not None:
            context = root.get_span_context()
            trace_ids.append(f"{context.trace_id:032x}" if context.is_valid else None)
        root.set_attribute("flight.coordinator", ",".join(uris))
        coordinators = Coordinators(uris, lambda uri: connect(uri, connect_timeout, tls_ca))
        try:
            infos = coordinators.call(lambda client, uri: list(client.list_flights(options=options)))
            root.set_attribute("num_flights", len(infos))
            for info in infos:
                name = dataset_name(info)
                try:
                    counts[name] = get_single_flight(tracer, coordinators.in_order(), info,
                                                     flight.FlightCallOptions(), connect_timeout,
                                                     progress_timeout, tls_ca)
                except (EndpointUnreadable, flight.FlightError) as error:
                    if errors is None:
                        raise
                    errors[name] = str(error)
            if errors:
                root.set_status(Status(StatusCode.ERROR, f"{len(errors)} flight(s) unreadable"))
        finally:
            coordinators.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coordinator", help="coordinator locations, comma-separated, tried in order "
                        "(default: $FLIGHT_COORDINATOR or grpc://localhost:8888)")
    parser.add_argument("--json", action="store_true",
                        help='print {"flights": {dataset: rows}, "trace_id": ...} as one JSON object '
                        "instead of text")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds for each listing call (default 60)")
    parser.add_argument("--connect-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT,
                        help=f"seconds to wait for a connection (default {DEFAULT_CONNECT_TIMEOUT:g})")
    parser.add_argument("--progress-timeout", type=float, default=DEFAULT_PROGRESS_TIMEOUT,
                        help="seconds a read may receive nothing before the next replica is tried "
                        f"(default {DEFAULT_PROGRESS_TIMEOUT:g})")
    parser.add_argument("--tls-ca", metavar="FILE",
                        help="PEM CA certificates to trust for grpc+tls:// locations "
                        "(default: $FLIGHT_TLS_CA, else the system's CAs)")
    args = parser.parse_args(argv)

    errors: dict[str, str] = {}
    trace_ids: list[str | None] = []
    try:
        tls_ca = tls_root_certs(args.tls_ca)
    except ValueError as error:
        print(f"invalid --tls-ca: {error}", file=sys.stderr)
        return 2
    try:
        counts = list_and_get_all_flights(args.coordinator, args.timeout, errors, trace_ids,
                                          args.connect_timeout, args.progress_timeout, tls_ca)
    except ValueError as error:
        print(f"invalid --coordinator: {error}", file=sys.stderr)
        return 2
    except flight.FlightError as error:
        print(f"cannot list flights at {','.join(coordinator_uris(args.coordinator))}: {error}",
              file=sys.stderr)
        if trace_ids and trace_ids[0]:
            print(f"trace id: {trace_ids[0]}", file=sys.stderr)
        return 2
    trace_id = trace_ids[0] if trace_ids else None
    if args.json:
        print(json.dumps({"flights": counts, "trace_id": trace_id}, sort_keys=True))
    else:
        for name in sorted(counts):
            print(f"{name}: {counts[name]} rows")
        if trace_id:
            print(f"trace id: {trace_id}")
    for name, message in sorted(errors.items()):
        print(f"{name}: UNREADABLE: {message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
