#!/usr/bin/env python3
"""Uploads a Parquet file to the cluster with Flight DoPut, traced with OpenTelemetry.

The coordinator picks the server (DoAction choose_server {"dataset": NAME} answers
{"server_id", "location"}); the file is then streamed batch by batch to that server with
DoPut(FlightDescriptor.for_path(NAME)). NAME is one path segment: the server stores "x.parquet"
as the file x.parquet and any other name, such as "trips", as the folder dataset trips/; either
way the cluster lists it under NAME.

    python put_dataset.py FILE.parquet [--name NAME] [--coordinator grpc://HOST:PORT[,grpc://HOST:PORT...]]
        [--tls-ca FILE] [--user NAME]

With --user (password in env FLIGHT_PASSWORD, never a flag) it handshakes at the coordinator
(flight_auth.py) and sends the bearer token with choose_server and with the DoPut to the server.

choose_server goes to the first coordinator that answers (failover.py); it only picks a server, so
asking the next one is safe. The upload itself is not repeated elsewhere.

Prints {"dataset", "server_id", "location", "rows", "trace_id"} as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq

from failover import DEFAULT_CONNECT_TIMEOUT, Coordinators, coordinator_uris
from flight_auth import login, password_from_env
from flight_tracing import connect, init_tracing
from tls import tls_root_certs

CHOOSE_SERVER = "choose_server"

# The servers' own limit (DatasetName.MAX_LENGTH in the protocol module).
_MAX_NAME_LENGTH = 1024


def check_name(name: str) -> None:
    """Raises ValueError for a name the servers would refuse (the protocol's DatasetName rules plus
    DoPut's one segment), so a bad name fails before the upload instead of after it."""
    problem = None
    if not name:
        problem = "it is empty"
    elif len(name) > _MAX_NAME_LENGTH:
        problem = f"it is longer than {_MAX_NAME_LENGTH} characters"
    elif "/" in name or "\\" in name:
        problem = "an upload names one top-level dataset such as 'sales.parquet' or 'trips', no path"
    elif any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name):
        problem = "it holds a control character"
    elif name.startswith("."):
        problem = "names starting with '.' are not served"
    if problem:
        raise ValueError(f"invalid dataset name {name!r}: {problem}")


def choose_server(coordinator: flight.FlightClient, dataset: str,
                  options: flight.FlightCallOptions) -> dict:
    body = json.dumps({"dataset": dataset}).encode("utf-8")
    results = list(coordinator.do_action(flight.Action(CHOOSE_SERVER, body), options))
    if not results:
        raise RuntimeError("choose_server returned no result")
    choice = json.loads(results[0].body.to_pybytes().decode("utf-8"))
    if not choice.get("location") or not choice.get("server_id"):
        raise RuntimeError(f"choose_server answered without server_id/location: {choice}")
    return choice


def put_dataset(path: str, name: str | None = None, coordinator_location: str | list[str] | None = None,
                batch_rows: int = 65536, timeout: float | None = 300.0,
                connect_timeout: float = DEFAULT_CONNECT_TIMEOUT, tls_ca: bytes | None = None,
                user: str | None = None, password: str | None = None) -> dict:
    """Uploads `path` as `name`. With `user`, logs in at the coordinator with `password` first and
    sends the token with every call; `tls_ca`: PEM CA certificates for grpc+tls:// locations."""
    name = name if name is not None else os.path.basename(path)
    check_name(name)
    uris = coordinator_uris(coordinator_location)

    tracer = init_tracing("client")
    options = flight.FlightCallOptions(timeout=timeout)
    with tracer.start_as_current_span("put_dataset") as span:
        context = span.get_span_context()
        trace_id = f"{context.trace_id:032x}" if context.is_valid else None
        span.set_attribute("flight.dataset", name)
        coordinators = Coordinators(uris, lambda uri: connect(uri, connect_timeout, tls_ca))

        def login_and_choose(client: flight.FlightClient, uri: str) -> dict:
            nonlocal options
            if user is not None:
                # The handshake at the coordinator that answers; its token serves at every node.
                options = flight.FlightCallOptions(timeout=timeout, headers=login(client, user, password))
            return choose_server(client, name, options)

        try:
            with tracer.start_as_current_span("choose_server"):
                choice = coordinators.call(login_and_choose)
        finally:
            coordinators.close()
        span.set_attribute("server.id", choice["server_id"])

        parquet = pq.ParquetFile(path)
        server = connect(choice["location"], connect_timeout, tls_ca)
        rows = 0
        try:
            with tracer.start_as_current_span("do_put") as put_span:
                put_span.set_attribute("flight.location", choice["location"])
                writer, metadata_reader = server.do_put(
                    flight.FlightDescriptor.for_path(name), parquet.schema_arrow, options)
                # Streamed: the file never has to fit in memory at once.
                for batch in parquet.iter_batches(batch_size=batch_rows):
                    writer.write_batch(batch)
                    rows += batch.num_rows
                writer.done_writing()
                # Drain the server's acknowledgements so its errors surface before close().
                while metadata_reader.read() is not None:
                    pass
                writer.close()
                put_span.set_attribute("flight.rows", rows)
        finally:
            server.close()
        span.set_attribute("flight.rows", rows)
    return {"dataset": name, "server_id": choice["server_id"], "location": choice["location"],
            "rows": rows, "trace_id": trace_id}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="local Parquet file to upload")
    parser.add_argument("--name", help="dataset name on the cluster, one path segment: 'x.parquet' "
                        "is stored as a file, any other name as a folder dataset "
                        "(default: the file's base name)")
    parser.add_argument("--coordinator", help="coordinator locations, comma-separated, tried in order "
                        "(default: $FLIGHT_COORDINATOR or grpc://localhost:8888)")
    parser.add_argument("--batch-rows", type=int, default=65536,
                        help="rows per record batch sent (default 65536)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds for each Flight call (default 300)")
    parser.add_argument("--connect-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT,
                        help=f"seconds to wait for a connection (default {DEFAULT_CONNECT_TIMEOUT:g})")
    parser.add_argument("--tls-ca", metavar="FILE",
                        help="PEM CA certificates to trust for grpc+tls:// locations "
                        "(default: $FLIGHT_TLS_CA, else the system's CAs)")
    parser.add_argument("--user", default=os.environ.get("FLIGHT_USER"),
                        help="log in at the coordinator as this user, the password in env FLIGHT_PASSWORD "
                        "(default: $FLIGHT_USER)")
    args = parser.parse_args(argv)
    try:
        password = None if args.user is None else password_from_env(args.user)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        tls_ca = tls_root_certs(args.tls_ca)
    except ValueError as error:
        print(f"invalid --tls-ca: {error}", file=sys.stderr)
        return 2
    try:
        result = put_dataset(args.file, args.name, args.coordinator, args.batch_rows, args.timeout,
                             args.connect_timeout, tls_ca, args.user, password)
    except (ValueError, OSError, RuntimeError, pa.ArrowException) as error:
        print(f"put failed: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
