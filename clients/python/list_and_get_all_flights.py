#!/usr/bin/env python3
"""Lists every flight the coordinator knows and reads all of them, traced with OpenTelemetry.

The Python client of the original Arrow Flight + OpenTelemetry example, adapted to the cluster:
each endpoint of a coordinator's FlightInfo lists every live replica of its files, so the client
reads the endpoints of a flight in parallel (--parallelism, default one thread per distinct
server, at most 8) and moves on to the next location of an endpoint when one fails (a server that
died since the listing answers UNAVAILABLE; a stopped one sends nothing for the progress timeout).
A stream that breaks after some batches resumes at the next location right after the last batch
read, from the resume token the server sent with it (docs/decisions.md D61, D62). --coordinator
takes a comma-separated list: the listing comes from the first coordinator that answers
(failover.py).

Spans: list_and_get_all_flights (root) > get_single_flight (one per flight)
       > connect_temp_client, do_get (num_rows), one pair per endpoint and location tried.

    python list_and_get_all_flights.py [--coordinator grpc://HOST:PORT[,grpc://HOST:PORT...]] [--json]
        [--connect-timeout SECONDS] [--progress-timeout SECONDS] [--parallelism N]
        [--tls-ca FILE]

Prints the rows read per flight, then `trace id: <32 hex>` (as the Java CLI does), or with --json one
object {"flights": {dataset: rows}, "trace_id": "<32 hex>" or null when tracing is off}.

Importable: list_and_get_all_flights(uris) returns {dataset name: rows read}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from opentelemetry import context as otel_context

import pyarrow as pa
import pyarrow.flight as flight
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from failover import (DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROGRESS_TIMEOUT, Coordinators, ProgressWatchdog,
                      coordinator_uris)
from flight_auth import login, password_from_env
from flight_tracing import connect, init_tracing
from tls import tls_root_certs

# A replica that is gone, stopped, slow or no longer holds the file may still be served by another
# one; any other error (bad ticket, auth) would fail on every replica alike.
_FAILOVER_ERRORS = (flight.FlightUnavailableError, flight.FlightTimedOutError)
_NOT_FOUND_MARKERS = ("NOT_FOUND", "not found")

# A stream that breaks mid-way this way is resumed elsewhere, as the Java client does (D61).
_RESUME_ERRORS = (flight.FlightUnavailableError, flight.FlightTimedOutError, flight.FlightCancelledError)

# Flight's way of saying "redeem the ticket on the service that gave you the FlightInfo".
_REUSE_CONNECTION = "arrow-flight-reuse-connection://?"

# As the Java client's FlightClusterClientBuilder.DEFAULT_PARALLELISM.
DEFAULT_PARALLELISM = 8


class EndpointUnreadable(Exception):
    """No location of an endpoint could serve its ticket."""


def dataset_name(info: flight.FlightInfo) -> str:
    path = info.descriptor.path or []
    if len(path) == 1:
        p = path[0]
        return p.decode("utf-8") if isinstance(p, bytes) else p
    command = info.descriptor.command
    if command and command.lstrip()[:1] == b"{":
        try:
            # A query's CMD descriptor {"dataset": NAME, ...} (get_dataset.py).
            return str(json.loads(command)["dataset"])
        except (ValueError, KeyError, TypeError):
            pass
    # Not a cluster descriptor; still give it a stable printable name.
    return repr(info.descriptor)


def _should_fail_over(error: Exception) -> bool:
    if isinstance(error, _FAILOVER_ERRORS):
        return True
    return isinstance(error, flight.FlightError) and any(m in str(error) for m in _NOT_FOUND_MARKERS)


def _resume_token(metadata) -> dict | None:
    """The ResumeToken a batch carries as app_metadata; None when it carries none."""
    if metadata is None or metadata.size == 0:
        return None
    try:
        token = json.loads(metadata.to_pybytes())
    except ValueError:
        return None
    return token if isinstance(token, dict) and isinstance(token.get("position"), dict) else None


def _resumed_ticket(ticket: flight.Ticket, token: dict, delivered: int = 0) -> flight.Ticket:
    """The same files as `ticket`, starting at the resume `token`'s position (a DatasetTicket,
    protocol/DatasetTicket.java); the position names its dataset, so a server refuses another's.
    A pushdown's limit is the stream's own: the resumed stream asks for the rest, `limit - delivered`
    (docs/decisions.md D80)."""
    raw = ticket.ticket
    request = json.loads(raw) if raw[:1] == b"{" else {"dataset": raw.decode("utf-8")}
    request["resume"] = dict(token["position"], dataset=token["dataset"])
    pushdown = request.get("pushdown")
    if isinstance(pushdown, dict) and pushdown.get("limit") is not None:
        request["pushdown"] = dict(pushdown, limit=max(0, int(pushdown["limit"]) - delivered))
    return flight.Ticket(json.dumps(request).encode("utf-8"))


class Delivery:
    """Hands the batches of every endpoint of one read to `sink`, one call at a time, and stops
    after `limit` rows in total: each endpoint's ticket carries the limit, so each server stops
    after it, but together they may send more, and the batch crossing the limit is cut."""

    def __init__(self, sink: Callable[[pa.RecordBatch], None] | None = None, limit: int | None = None):
        self._sink = sink
        self._limit = limit
        self._lock = threading.Lock()
        self.rows = 0

    @property
    def done(self) -> bool:
        return self._limit is not None and self.rows >= self._limit

    def deliver(self, batch: pa.RecordBatch) -> tuple[int, bool]:
        """Returns (rows handed over, whether more are wanted)."""
        with self._lock:
            if self._limit is not None:
                remaining = self._limit - self.rows
                if remaining <= 0:
                    return 0, False
                if batch.num_rows > remaining:
                    batch = batch.slice(0, remaining)
            if self._sink is not None:
                self._sink(batch)
            self.rows += batch.num_rows
            return batch.num_rows, not self.done


def _read_endpoint(tracer, coordinators: list[str], endpoint: flight.FlightEndpoint,
                   options: flight.FlightCallOptions, connect_timeout: float,
                   progress_timeout: float, index: int = 0,
                   tls_ca: bytes | None = None, delivery: Delivery | None = None) -> tuple[int, str]:
    """Reads one endpoint, trying its locations in order; returns (rows, location used).
    With a `delivery`, its batches go there, and the read stops when it wants no more."""
    locations = [loc.uri.decode("utf-8") if isinstance(loc.uri, bytes) else str(loc.uri)
                 for loc in endpoint.locations]
    targets: list[str] = []
    for location in locations or [_REUSE_CONNECTION]:
        # Served by the service that gave out the FlightInfo: any coordinator serves the same.
        reuse = location.startswith("arrow-flight-reuse-connection:")
        targets.extend(u for u in (coordinators if reuse else [location]) if u not in targets)

    failures: list[str] = []
    delivered = 0  # rows of this endpoint read so far, over every location
    token = None  # the resume token of the last batch read
    for target in targets:
        with tracer.start_as_current_span("connect_temp_client") as span:
            span.set_attribute("flight.location", target)
            client = connect(target, connect_timeout, tls_ca)
        try:
            with tracer.start_as_current_span("do_get") as span:
                span.set_attribute("flight.location", target)
                span.set_attribute("flight.endpoint.index", index)
                ticket = endpoint.ticket
                if token is not None:
                    ticket = _resumed_ticket(ticket, token, delivered)
                    span.set_attribute("flight.resume.file", str(token["position"].get("file")))
                    span.set_attribute("flight.resume.row", int(token["position"].get("row", 0)))
                # Count batch by batch: a big dataset never has to fit in memory at once.
                rows = 0
                batches = 0
                try:
                    reader = client.do_get(ticket, options)
                    with ProgressWatchdog(reader, progress_timeout) as watch:
                        while (chunk := watch.read_chunk()) is not None:
                            if chunk.data is not None:
                                more = True
                                if delivery is None:
                                    rows += chunk.data.num_rows
                                else:
                                    taken, more = delivery.deliver(chunk.data)
                                    rows += taken
                                batches += 1
                                batch_token = _resume_token(chunk.app_metadata)
                                if batch_token is not None or token is None:
                                    token = batch_token
                                if not more:
                                    reader.cancel()  # the limit is reached: the rest is not needed
                                    break
                except Exception as error:  # noqa: BLE001 - re-raised unless another replica may help
                    resumable = rows > 0 and token is not None and isinstance(error, _RESUME_ERRORS)
                    if not (resumable or (rows == 0 and _should_fail_over(error))):
                        raise  # the span records it on the way out
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, str(error)))
                    if rows:
                        span.set_attribute("num_rows", rows)
                    failures.append(f"{target}: {error}")
                    if resumable or token is not None:
                        # Resumed at the next location right after the last batch read.
                        delivered += rows
                    continue
                span.set_attribute("num_rows", rows)
                span.set_attribute("flight.batches", batches)
                return delivered + rows, target
        finally:
            client.close()
    raise EndpointUnreadable("; ".join(failures) or "no location")


def _distinct_servers(info: flight.FlightInfo) -> int:
    servers = set()
    for endpoint in info.endpoints:
        servers.update(str(loc.uri) for loc in endpoint.locations)
        if not endpoint.locations:
            servers.add("coordinators")
    return max(1, len(servers))


def get_single_flight(tracer, coordinators: list[str], info: flight.FlightInfo,
                      options: flight.FlightCallOptions, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                      progress_timeout: float = DEFAULT_PROGRESS_TIMEOUT,
                      parallelism: int = DEFAULT_PARALLELISM, tls_ca: bytes | None = None,
                      delivery: Delivery | None = None) -> int:
    """Reads every endpoint of `info`, up to `parallelism` at once (never more than its distinct
    servers), each on a thread of its own in this span's trace; returns the rows read. With a
    `delivery`, the batches go to it, and reading stops once it has its limit."""
    if parallelism < 1:
        raise ValueError(f"parallelism must be at least 1: {parallelism}")
    name = dataset_name(info)
    with tracer.start_as_current_span("get_single_flight") as span:
        span.set_attribute("flight.dataset", name)
        endpoints = list(info.endpoints)
        threads = min(parallelism, _distinct_servers(info), max(1, len(endpoints)))
        parent = otel_context.get_current()

        def read(indexed):
            index, endpoint = indexed
            if delivery is not None and delivery.done:
                return 0
            token = otel_context.attach(parent)
            try:
                rows, _ = _read_endpoint(tracer, coordinators, endpoint, options, connect_timeout,
                                         progress_timeout, index, tls_ca, delivery)
                return rows
            finally:
                otel_context.detach(token)

        if threads <= 1:
            total = sum(read(each) for each in enumerate(endpoints))
        else:
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="flight-get") as pool:
                total = sum(pool.map(read, enumerate(endpoints)))
        span.set_attribute("flight.rows", total)
        return total


def list_and_get_all_flights(coordinator_location: str | list[str] | None = None, timeout: float | None = 60.0,
                             errors: dict[str, str] | None = None,
                             trace_ids: list[str | None] | None = None,
                             connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                             progress_timeout: float = DEFAULT_PROGRESS_TIMEOUT,
                             parallelism: int = DEFAULT_PARALLELISM,
                             user: str | None = None, password: str | None = None,
                             tls_ca: bytes | None = None) -> dict[str, int]:
    """Returns {dataset: rows} for every flight read; unreadable ones go into `errors`.

    `coordinator_location` is one URI, a comma-separated list or a list: the listing comes from the
    first that answers. `timeout` bounds each listing call; a read is bounded by `progress_timeout`
    between messages instead, as a large dataset may rightly take long. With `user` (and its
    `password`) it logs in at the first coordinator that answers and sends the token everywhere.

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
            headers = ([] if user is None
                       else coordinators.call(lambda client, uri: login(client, user, password)))
            options = flight.FlightCallOptions(timeout=timeout, headers=headers)
            infos = coordinators.call(lambda client, uri: list(client.list_flights(options=options)))
            root.set_attribute("num_flights", len(infos))
            for info in infos:
                name = dataset_name(info)
                try:
                    counts[name] = get_single_flight(tracer, coordinators.in_order(), info,
                                                     flight.FlightCallOptions(headers=headers), connect_timeout,
                                                     progress_timeout, parallelism, tls_ca)
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
    parser.add_argument("--user", default=os.environ.get("FLIGHT_USER"),
                        help="log in at the coordinator as this user, the password in env FLIGHT_PASSWORD "
                        "(default: $FLIGHT_USER)")
    parser.add_argument("--parallelism", type=int, default=DEFAULT_PARALLELISM,
                        help="endpoints of a flight read at once, never more than its distinct servers "
                        f"(default {DEFAULT_PARALLELISM})")
    parser.add_argument("--tls-ca", metavar="FILE",
                        help="PEM CA certificates to trust for grpc+tls:// locations "
                        "(default: $FLIGHT_TLS_CA, else the system's CAs)")
    args = parser.parse_args(argv)
    if args.parallelism < 1:
        parser.error("--parallelism must be at least 1")
    try:
        password = None if args.user is None else password_from_env(args.user)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2

    errors: dict[str, str] = {}
    trace_ids: list[str | None] = []
    try:
        tls_ca = tls_root_certs(args.tls_ca)
    except ValueError as error:
        print(f"invalid --tls-ca: {error}", file=sys.stderr)
        return 2
    try:
        counts = list_and_get_all_flights(args.coordinator, args.timeout, errors, trace_ids,
                                          args.connect_timeout, args.progress_timeout, args.parallelism,
                                          args.user, password, tls_ca)
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
