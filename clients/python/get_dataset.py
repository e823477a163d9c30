#!/usr/bin/env python3
"""Reads one dataset, or only the columns and rows asked for, from the cluster, traced with OpenTelemetry.

With --columns, --where or --limit the coordinator is asked with a CMD descriptor whose body is the
JSON query {"dataset": NAME, "columns": [...], "filter": "...", "limit": N} (README "Read only what
you need"): the data servers apply the projection and the filter in their scan and send only the
rows and columns asked for, and shards whose hive partition values cannot match the filter are not
read at all. Without them the dataset's PATH descriptor is used. The endpoints are read as
list_and_get_all_flights.py reads them (in parallel, with failover and resume); the read stops
after --limit rows in total.

    python get_dataset.py NAME [--columns a,b] [--where "SQL boolean expression"] [--limit N]
        [--output FILE.parquet|FILE.arrow] [--coordinator grpc://HOST:PORT[,...]] [--user USER]
        [--connect-timeout SECONDS] [--progress-timeout SECONDS] [--parallelism N] [--tls-ca FILE]

Prints one JSON object {"dataset": NAME, "rows": N, "trace_id": ...}. A query the cluster refuses (an
unknown column, a filter that does not parse) prints the coordinator's message and exits 2.

Importable: get_dataset(coordinators, name, columns, where, limit) returns a pyarrow.Table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from failover import DEFAULT_CONNECT_TIMEOUT, DEFAULT_PROGRESS_TIMEOUT, Coordinators, coordinator_uris
from flight_auth import login, password_from_env
from flight_tracing import connect, init_tracing
from list_and_get_all_flights import DEFAULT_PARALLELISM, Delivery, EndpointUnreadable, get_single_flight
from tls import tls_root_certs


def query_descriptor(name: str, columns: list[str] | None = None, where: str | None = None,
                     limit: int | None = None) -> flight.FlightDescriptor:
    """The descriptor that asks for `name`: its PATH descriptor when every column and row is wanted,
    else the CMD descriptor of the JSON query (protocol/QueryCommand.java)."""
    if not columns and not where and limit is None:
        return flight.FlightDescriptor.for_path(name)
    body: dict = {"dataset": name}
    if columns:
        body["columns"] = list(columns)
    if where:
        body["filter"] = where
    if limit is not None:
        body["limit"] = int(limit)
    return flight.FlightDescriptor.for_command(json.dumps(body).encode("utf-8"))


def read_dataset(coordinator_location: str | list[str] | None, name: str,
                 sink: Callable[[pa.RecordBatch], None] | None, columns: list[str] | None = None,
                 where: str | None = None, limit: int | None = None, timeout: float | None = 60.0,
                 connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 progress_timeout: float = DEFAULT_PROGRESS_TIMEOUT, parallelism: int = DEFAULT_PARALLELISM,
                 user: str | None = None, password: str | None = None, tls_ca: bytes | None = None,
                 trace_ids: list[str | None] | None = None) -> tuple[pa.Schema, int]:
    """Hands every batch of the query to `sink` (one call at a time); returns (schema, rows).

    Raises what pyarrow makes of the coordinator's refusal: pyarrow.ArrowInvalid for INVALID_ARGUMENT
    (an unknown column, a bad filter: the message says where), pyarrow.ArrowKeyError for NOT_FOUND."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more: {limit}")
    tracer = init_tracing("client")
    uris = coordinator_uris(coordinator_location)
    descriptor = query_descriptor(name, columns, where, limit)
    with tracer.start_as_current_span("get_dataset") as root:
        if trace_ids is not None:
            context = root.get_span_context()
            trace_ids.append(f"{context.trace_id:032x}" if context.is_valid else None)
        root.set_attribute("flight.dataset", name)
        coordinators = Coordinators(uris, lambda uri: connect(uri, connect_timeout, tls_ca))
        try:
            headers = ([] if user is None
                       else coordinators.call(lambda client, uri: login(client, user, password)))
            options = flight.FlightCallOptions(timeout=timeout, headers=headers)
            info = coordinators.call(lambda client, uri: client.get_flight_info(descriptor, options))
            delivery = Delivery(sink, limit)
            if limit != 0:
                get_single_flight(tracer, coordinators.in_order(), info, flight.FlightCallOptions(headers=headers),
                                  connect_timeout, progress_timeout, parallelism, tls_ca, delivery)
            root.set_attribute("flight.rows", delivery.rows)
            return info.schema, delivery.rows
        finally:
            coordinators.close()


def get_dataset(coordinator_location: str | list[str] | None, name: str, columns: list[str] | None = None,
                where: str | None = None, limit: int | None = None, **options) -> pa.Table:
    """The query's rows as one table, in memory: for tests and small results."""
    batches: list[pa.RecordBatch] = []
    schema, _ = read_dataset(coordinator_location, name, batches.append, columns, where, limit, **options)
    return pa.Table.from_batches(batches, schema=batches[0].schema if batches else schema)


def _file_sink(path: str, schema_holder: list):
    """A sink that streams batches into a Parquet or Arrow IPC file, opened at the first batch."""
    writers: list = []

    def write(batch: pa.RecordBatch) -> None:
        if not writers:
            writers.append(pq.ParquetWriter(path, batch.schema) if path.endswith(".parquet")
                           else ipc.new_file(path, batch.schema))
        writers[0].write_batch(batch)
        schema_holder[:] = [batch.schema]

    def close(schema: pa.Schema) -> None:
        if not writers:
            # No rows: the file still says which columns there are.
            writers.append(pq.ParquetWriter(path, schema) if path.endswith(".parquet") else ipc.new_file(path, schema))
        writers[0].close()

    return write, close


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", metavar="NAME", help="the dataset, e.g. trips or sales.parquet")
    parser.add_argument("--columns", help="read only these columns, comma-separated, in this order")
    parser.add_argument("--where", help="read only the rows for which this SQL boolean expression over the "
                        "dataset's columns is true, e.g. \"year = 2024 AND fare > 10.5\"")
    parser.add_argument("--limit", type=int, help="read at most this many rows")
    parser.add_argument("--output", metavar="FILE", help="write the rows to FILE: .parquet or .arrow "
                        "(default: count them only)")
    parser.add_argument("--coordinator", help="coordinator locations, comma-separated, tried in order "
                        "(default: $FLIGHT_COORDINATOR or grpc://localhost:8888)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds for each coordinator call (default 60)")
    parser.add_argument("--connect-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT,
                        help=f"seconds to wait for a connection (default {DEFAULT_CONNECT_TIMEOUT:g})")
    parser.add_argument("--progress-timeout", type=float, default=DEFAULT_PROGRESS_TIMEOUT,
                        help="seconds a read may receive nothing before the next replica is tried "
                        f"(default {DEFAULT_PROGRESS_TIMEOUT:g})")
    parser.add_argument("--parallelism", type=int, default=DEFAULT_PARALLELISM,
                        help=f"endpoints read at once (default {DEFAULT_PARALLELISM})")
    parser.add_argument("--user", default=os.environ.get("FLIGHT_USER"),
                        help="log in at the coordinator as this user, the password in env FLIGHT_PASSWORD "
                        "(default: $FLIGHT_USER)")
    parser.add_argument("--tls-ca", metavar="FILE",
                        help="PEM CA certificates to trust for grpc+tls:// locations "
                        "(default: $FLIGHT_TLS_CA, else the system's CAs)")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 0:
        parser.error("--limit must be 0 or more")
    if args.parallelism < 1:
        parser.error("--parallelism must be at least 1")
    if args.output and not args.output.endswith((".parquet", ".arrow")):
        parser.error("--output must end in .parquet or .arrow")
    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    try:
        password = None if args.user is None else password_from_env(args.user)
        tls_ca = tls_root_certs(args.tls_ca)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    schema_holder: list = []
    write, close = _file_sink(args.output, schema_holder) if args.output else (None, None)
    trace_ids: list[str | None] = []
    try:
        schema, rows = read_dataset(args.coordinator, args.name, write, columns, args.where, args.limit,
                                    args.timeout, args.connect_timeout, args.progress_timeout, args.parallelism,
                                    args.user, password, tls_ca, trace_ids)
    except (flight.FlightError, pa.ArrowException, EndpointUnreadable) as error:
        # The coordinator's or server's own message: it names the column or the filter's position
        # (pyarrow raises INVALID_ARGUMENT as ArrowInvalid, NOT_FOUND as ArrowKeyError).
        print(f"cannot read {args.name}: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # an invalid --coordinator
        print(f"invalid argument: {error}", file=sys.stderr)
        return 2
    if close is not None:
        close(schema_holder[0] if schema_holder else schema)
    print(json.dumps({"dataset": args.name, "rows": rows, "trace_id": trace_ids[0] if trace_ids else None},
                     sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
