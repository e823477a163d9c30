"""Checks the Python clients against an in-process stand-in of the cluster (pyarrow Flight servers).

The stand-in speaks the cluster's protocol as the contract defines it (coordinator FlightInfo with
one endpoint listing every replica, choose_server action, DoPut by PATH descriptor), so the
clients' failover, row counting and trace propagation are tested without the Java services.

Run: python -m pytest clients/python/tests
"""

from __future__ import annotations

import json
import os
import socket
import sys

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

import list_and_get_all_flights as lister  # noqa: E402
import put_dataset as putter  # noqa: E402

# Installed before the clients' init_tracing runs, so it keeps this in-memory exporter
# instead of exporting over OTLP.
EXPORTER = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
trace.set_tracer_provider(_provider)


class HeaderRecorder(flight.ServerMiddlewareFactory):
    def __init__(self):
        super().__init__()
        self.traceparents: list[str] = []

    def start_call(self, info, headers):
        self.traceparents.extend(headers.get("traceparent", []))
        return None


class DataServer(flight.FlightServerBase):
    def __init__(self, tables: dict[str, pa.Table]):
        self.recorder = HeaderRecorder()
        super().__init__("grpc://127.0.0.1:0", middleware={"rec": self.recorder})
        self.tables = dict(tables)
        self.location = f"grpc://127.0.0.1:{self.port}"

    def do_get(self, context, ticket):
        name = ticket.ticket.decode("utf-8")
        if name not in self.tables:
            raise flight.FlightServerError(f"NOT_FOUND: {name}")
        # Small batches so the client really counts across several of them.
        return flight.RecordBatchStream(pa.Table.from_batches(self.tables[name].to_batches(max_chunksize=7)))

    def do_put(self, context, descriptor, reader, writer):
        self.tables[descriptor.path[0].decode("utf-8")] = reader.read_all()


class Coordinator(flight.FlightServerBase):
    """Lists each dataset once with every holder as a location, like the real coordinator."""

    def __init__(self, holders: dict[str, list[str]], schemas: dict[str, pa.Schema], put_target: DataServer):
        self.recorder = HeaderRecorder()
        super().__init__("grpc://127.0.0.1:0", middleware={"rec": self.recorder})
        self.holders = holders
        self.schemas = schemas
        self.put_target = put_target

    def list_flights(self, context, criteria):
        for name, locations in self.holders.items():
            endpoint = flight.FlightEndpoint(name.encode("utf-8"), locations)
            yield flight.FlightInfo(self.schemas[name], flight.FlightDescriptor.for_path(name),
                                    [endpoint], -1, -1)

    def do_action(self, context, action):
        assert action.type == "choose_server"
        body = json.loads(action.body.to_pybytes())
        assert body == {"dataset": body["dataset"]}
        return [json.dumps({"server_id": "s1", "location": self.put_target.location}).encode("utf-8")]


def dead_location() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"grpc://127.0.0.1:{port}"


@pytest.fixture()
def cluster(tmp_path):
    sales = pa.table({"id": list(range(100)), "amount": [i * 1.5 for i in range(100)]})
    trips = pa.table({"k": ["a"] * 42})
    for name, table in {"sales.parquet": sales, "trips.parquet": trips}.items():
        pq.write_table(table, tmp_path / name)
    s1 = DataServer({"sales.parquet": sales, "trips.parquet": trips})
    s2 = DataServer({"sales.parquet": sales})
    holders = {
        # The first replica is gone: the client must fall over to the second one.
        "sales.parquet": [dead_location(), s2.location, s1.location],
        "trips.parquet": [s1.location],
    }
    coord = Coordinator(holders, {"sales.parquet": sales.schema, "trips.parquet": trips.schema}, s2)
    EXPORTER.clear()
    yield {"dir": tmp_path, "coordinator": f"grpc://127.0.0.1:{coord.port}", "s1": s1, "s2": s2, "coord": coord}
    for server in (coord, s1, s2):
        server.shutdown()


def test_counts_match_parquet_and_failover(cluster):
    counts = lister.list_and_get_all_flights(cluster["coordinator"], timeout=10)
    expected = {p.name: pq.ParquetFile(p).metadata.num_rows for p in cluster["dir"].glob("*.parquet")}
    assert counts == expected
    # sales came from s2 (the first live location), not from s1.
    assert cluster["s2"].recorder.traceparents


def test_spans_and_traceparent_propagation(cluster):
    lister.list_and_get_all_flights(cluster["coordinator"], timeout=10)
    spans = EXPORTER.get_finished_spans()
    by_name: dict[str, list] = {}
    for span in spans:
        by_name.setdefault(span.name, []).append(span)
    (root,) = by_name["list_and_get_all_flights"]
    assert len(by_name["get_single_flight"]) == 2
    assert all(s.parent.span_id == root.context.span_id for s in by_name["get_single_flight"])
    # sales: dead location then s2 -> two attempts; trips: one.
    assert len(by_name["connect_temp_client"]) == 3
    do_gets = by_name["do_get"]
    assert sorted(s.attributes.get("num_rows", -1) for s in do_gets) == [-1, 42, 100]
    trace_id = f"{root.context.trace_id:032x}"
    received = cluster["coord"].recorder.traceparents + cluster["s1"].recorder.traceparents \
        + cluster["s2"].recorder.traceparents
    assert received and all(tp.split("-")[1] == trace_id for tp in received)


def test_unreadable_endpoint_reported(cluster, capsys):
    cluster["coord"].holders["gone.parquet"] = [dead_location()]
    cluster["coord"].schemas["gone.parquet"] = pa.schema([("x", pa.int64())])
    assert lister.main(["--coordinator", cluster["coordinator"], "--json", "--timeout", "5"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["flights"] == {"sales.parquet": 100, "trips.parquet": 42}
    assert "gone.parquet: UNREADABLE" in err


def test_prints_the_trace_id_of_its_root_span(cluster, capsys):
    assert lister.main(["--coordinator", cluster["coordinator"], "--json", "--timeout", "10"]) == 0
    printed = json.loads(capsys.readouterr().out)
    (root,) = [s for s in EXPORTER.get_finished_spans() if s.name == "list_and_get_all_flights"]
    assert printed == {"flights": {"sales.parquet": 100, "trips.parquet": 42},
                       "trace_id": f"{root.context.trace_id:032x}"}

    EXPORTER.clear()
    assert lister.main(["--coordinator", cluster["coordinator"], "--timeout", "10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (root,) = [s for s in EXPORTER.get_finished_spans() if s.name == "list_and_get_all_flights"]
    # The Java CLI's last line too, so one pattern finds the trace of either client.
    assert lines == ["sales.parquet: 100 rows", "trips.parquet: 42 rows",
                     f"trace id: {root.context.trace_id:032x}"]


def test_put_dataset_via_choose_server(cluster, tmp_path):
    src = tmp_path / "upload.parquet"
    pq.write_table(pa.table({"v": list(range(1000))}), src)
    result = putter.put_dataset(str(src), "new.parquet", cluster["coordinator"], batch_rows=300, timeout=10)
    (root,) = [s for s in EXPORTER.get_finished_spans() if s.name == "put_dataset"]
    assert result == {"dataset": "new.parquet", "server_id": "s1", "location": cluster["s2"].location,
                      "rows": 1000, "trace_id": f"{root.context.trace_id:032x}"}
    assert cluster["s2"].tables["new.parquet"].num_rows == 1000


def test_put_takes_any_one_segment_name_like_the_servers(cluster, tmp_path):
    src = tmp_path / "upload.parquet"
    pq.write_table(pa.table({"v": [1, 2, 3]}), src)
    # A name without .parquet is a folder dataset on the servers, listed under that name.
    result = putter.put_dataset(str(src), "trips", cluster["coordinator"], timeout=10)
    assert result["dataset"] == "trips"
    assert cluster["s2"].tables["trips"].num_rows == 3


@pytest.mark.parametrize("name", ["", "a/b.parquet", "a\\b", ".hidden", "..", "tab\there", "x" * 1025])
def test_put_refuses_names_the_servers_refuse(cluster, tmp_path, name):
    src = tmp_path / "upload.parquet"
    pq.write_table(pa.table({"v": [1]}), src)
    with pytest.raises(ValueError, match="invalid dataset name"):
        putter.put_dataset(str(src), name, cluster["coordinator"])
    # Refused before anything was sent.
    assert not cluster["coord"].recorder.traceparents


class ResumableServer(flight.FlightServerBase):
    """Streams 10 batches of 10 rows of `ids`, each with a resume token as app_metadata, starting
    after a ticket's resume position; fails UNAVAILABLE once it has sent batch `break_after`."""

    def __init__(self, break_after: int = 10):
        super().__init__("grpc://127.0.0.1:0")
        self.break_after = break_after
        self.location = f"grpc://127.0.0.1:{self.port}"
        self.tickets: list[bytes] = []

    def do_get(self, context, ticket):
        self.tickets.append(ticket.ticket)
        raw = ticket.ticket
        request = json.loads(raw) if raw[:1] == b"{" else {"dataset": raw.decode("utf-8")}
        start = request.get("resume", {}).get("row", 0) // 10
        schema = pa.schema([("id", pa.int64())])

        def batches():
            for b in range(start, 10):
                if b >= self.break_after:
                    raise flight.FlightUnavailableError("server is going away")
                token = {"dataset": request["dataset"], "position": {"file": request["dataset"], "row": (b + 1) * 10}}
                yield (pa.record_batch([pa.array(range(b * 10, b * 10 + 10), pa.int64())], schema=schema),
                       pa.py_buffer(json.dumps(token).encode("utf-8")))

        return flight.GeneratorStream(schema, batches())


def test_a_broken_stream_resumes_at_the_next_location_after_the_last_batch():
    breaking, whole = ResumableServer(break_after=3), ResumableServer()
    schema = pa.schema([("id", pa.int64())])
    coord = Coordinator({"ids.parquet": [breaking.location, whole.location]}, {"ids.parquet": schema}, whole)
    EXPORTER.clear()
    try:
        counts = lister.list_and_get_all_flights(f"grpc://127.0.0.1:{coord.port}", timeout=10)
    finally:
        for server in (coord, breaking, whole):
            server.shutdown()
    assert counts == {"ids.parquet": 100}
    assert [json.loads(t) for t in whole.tickets] == [
        {"dataset": "ids.parquet", "resume": {"file": "ids.parquet", "row": 30, "dataset": "ids.parquet"}}]
    do_gets = [s for s in EXPORTER.get_finished_spans() if s.name == "do_get"]
    resumed = [s for s in do_gets if "flight.resume.row" in s.attributes]
    assert len(do_gets) == 2 and len(resumed) == 1
    assert resumed[0].attributes["flight.location"] == whole.location
    assert resumed[0].attributes["flight.resume.row"] == 30
    assert resumed[0].attributes["num_rows"] == 70


def test_endpoints_on_different_servers_are_read_in_parallel_one_do_get_each():
    one, two = ResumableServer(), ResumableServer()
    schema = pa.schema([("id", pa.int64())])

    class TwoEndpoints(Coordinator):
        def list_flights(self, context, criteria):
            endpoints = [flight.FlightEndpoint(json.dumps({"dataset": "ids", "files": [f]}).encode("utf-8"), [loc])
                         for f, loc in (("a.parquet", one.location), ("b.parquet", two.location))]
            yield flight.FlightInfo(schema, flight.FlightDescriptor.for_path("ids"), endpoints, -1, -1)

    coord = TwoEndpoints({}, {}, one)
    EXPORTER.clear()
    try:
        counts = lister.list_and_get_all_flights(f"grpc://127.0.0.1:{coord.port}", timeout=10)
    finally:
        for server in (coord, one, two):
            server.shutdown()
    assert counts == {"ids": 200}
    spans = EXPORTER.get_finished_spans()
    (get,) = [s for s in spans if s.name == "get_single_flight"]
    do_gets = [s for s in spans if s.name == "do_get"]
    assert sorted(s.attributes["flight.endpoint.index"] for s in do_gets) == [0, 1]
    assert all(s.parent.span_id == get.context.span_id for s in do_gets)
