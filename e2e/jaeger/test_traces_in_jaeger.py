"""The cluster's traces as Jaeger stores them, end to end.

A coordinator and two servers run from the distribution (conftest.py), exporting OTLP to an
in-memory Jaeger; the Java CLI and the Python client read every dataset, the Python uploader puts
new ones, and every assertion reads Jaeger's HTTP query API. Row counts are compared with what
pyarrow reads from the same Parquet files.

The tests share one cluster and run in file order: the idle-window test must come after every
client run, and the uploads (which change a server's listing, and so trace one heartbeat) last.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import time
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

from conftest import (DISTRIBUTION, HEARTBEAT_SECONDS, LEASE_SECONDS, PYTHON_CLIENTS, SERVER_IDS, Cluster,
                      coordinator_listing, locations)
from jaeger_api import Jaeger, Span, Trace, eventually, grpc, now_us
from processes import run

TRACE_ID_LINE = re.compile(r"^trace id: ([0-9a-f]{32})$", re.MULTILINE)
SERVICES = {"client", "coordinator", "server"}
# Spans reach Jaeger within a second (200 ms batch delays on both sides); this only bounds a failure.
TRACE_TIMEOUT = 30


@dataclass(frozen=True)
class ClientRun:
    trace_id: str
    start_us: int  # before the process started
    end_us: int  # after it exited
    stdout: str


def _language(span: Span) -> str | None:
    return span.resource.get("telemetry.sdk.language")


def _assert_one_connected_tree(trace: Trace, root_name: str) -> Span:
    roots = trace.roots()
    assert [r.name for r in roots] == [root_name], f"roots {[r.describe() for r in roots]} in\n{trace}"
    ids = {s.span_id for s in trace.spans}
    orphans = [s.describe() for s in trace.spans if s.parent_id is not None and s.parent_id not in ids]
    assert not orphans, f"spans whose parent is not in the trace: {orphans}\n{trace}"
    assert trace.services() == SERVICES, f"services {trace.services()} in\n{trace}"
    return roots[0]


def _assert_server_do_get(trace: Trace, parent: Span, dataset: str, cluster: Cluster) -> Span:
    server_span = trace.child(parent, grpc("DoGet"), service="server", kind="server")
    assert server_span.attributes.get("flight.dataset") == dataset, server_span.describe()
    assert server_span.attributes.get("flight.rows") == cluster.data.rows[dataset], server_span.describe()
    assert server_span.attributes.get("server.id") in cluster.data.holders[dataset], server_span.describe()
    assert _language(server_span) == "java"
    return server_span


def _assert_exactly_one_trace(jaeger: Jaeger, run: ClientRun) -> None:
    """Every span any service started while the client ran is in the client's one trace, as both
    query APIs see it."""
    for service in sorted(SERVICES):
        v2 = {t.trace_id: t for t in jaeger.find_traces(service, run.start_us, run.end_us)}
        assert set(v2) == {run.trace_id}, (
            f"/api/traces?service={service} during the run: {len(v2)} traces, expected only {run.trace_id}:\n"
            + "\n".join(str(t) for t in v2.values()))
        v3 = {t.trace_id: t for t in jaeger.find_traces_v3(service, run.start_us, run.end_us)}
        assert set(v3) == {run.trace_id}, (
            f"/api/v3/traces service {service} during the run: {sorted(v3)}, expected only {run.trace_id}")


# --- the cluster as it came up ---------------------------------------------------------------------

def test_coordinator_lists_every_dataset_with_pyarrows_row_counts(cluster: Cluster):
    listing = coordinator_listing(cluster.coordinator)
    assert {name: info.total_records for name, info in listing.items()} == cluster.data.rows
    shared = listing["customers.parquet"]
    assert len(shared.endpoints) == 1
    assert sorted(locations(shared)) == sorted(cluster.servers.values()), "the replica lists both servers"


@pytest.mark.parametrize("server_id", SERVER_IDS)
def test_hello_trace_holds_the_coordinators_listing_callback(cluster: Cluster, jaeger: Jaeger, server_id: str):
    """say_hello (server) > DoAction CLIENT > coordinator DoAction SERVER (server.id) > ListFlights CLIENT
    > ListFlights SERVER on that same server process: the coordinator pulls the listing in the hello's trace."""

    def hello_trace() -> Trace:
        found = [t for t in jaeger.find_traces("server", cluster.started_us, now_us(), operation="say_hello")
                 if any(s.attributes.get("server.id") == server_id for s in t.named("say_hello"))]
        assert len(found) == 1, f"{len(found)} say_hello traces of {server_id}: {[t.names() for t in found]}"
        trace = found[0]
        hello = trace.one("say_hello", service="server", kind="internal")
        assert hello.parent_id is None and hello.attributes.get("server.id") == server_id, str(trace)
        call = trace.child(hello, grpc("DoAction"), service="server", kind="client")
        action = trace.child(call, grpc("DoAction"), service="coordinator", kind="server")
        assert action.attributes.get("server.id") == server_id, action.describe()
        callback = trace.child(action, grpc("ListFlights"), service="coordinator", kind="client")
        listed = trace.child(callback, grpc("ListFlights"), service="server", kind="server")
        assert listed.attributes.get("server.id") == server_id, listed.describe()
        assert listed.instance == hello.instance, "the coordinator called back the server that said hello"
        assert trace.services() == {"server", "coordinator"}
        return trace

    eventually(hello_trace, timeout=TRACE_TIMEOUT, what=f"hello trace of {server_id}")


# --- the Java CLI -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def java_run(cluster: Cluster, base_env: dict[str, str], run_dir) -> ClientRun:
    start = now_us()
    done = run([str(DISTRIBUTION), "client", "--coordinator", cluster.coordinator, "list-and-get-all"],
               base_env, timeout=180, cwd=run_dir)
    end = now_us()
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    match = TRACE_ID_LINE.search(done.stdout)
    assert match, f"no 'trace id:' line in\n{done.stdout}"
    return ClientRun(match.group(1), start, end, done.stdout)


def _java_trace(jaeger: Jaeger, run: ClientRun, cluster: Cluster) -> Trace:
    """The Java CLI's trace once complete: every span the run must have produced is there."""

    def complete() -> Trace:
        trace = jaeger.trace(run.trace_id)
        assert trace is not None, "no span of the trace yet"
        root = _assert_one_connected_tree(trace, "list_and_get_all_flights")
        assert root.service == "client" and _language(root) == "java"
        listing = trace.child(root, grpc("ListFlights"), service="client", kind="client")
        trace.child(listing, grpc("ListFlights"), service="coordinator", kind="server")
        flights = trace.children(root, "get_single_flight", service="client")
        assert sorted(s.attributes.get("flight.dataset") for s in flights) == sorted(cluster.data.rows)
        for flight_span in flights:
            dataset = flight_span.attributes["flight.dataset"]
            trace.child(flight_span, "connect", service="client")
            do_get = trace.child(flight_span, "do_get", service="client")
            call = trace.child(do_get, grpc("DoGet"), service="client", kind="client")
            _assert_server_do_get(trace, call, dataset, cluster)
        return trace

    return eventually(complete, timeout=TRACE_TIMEOUT, what=f"Java CLI trace {run.trace_id}")


def test_java_cli_reads_every_row(java_run: ClientRun, cluster: Cluster):
    for name, rows in cluster.data.rows.items():
        line = next((l for l in java_run.stdout.splitlines() if l.split()[:1] == [name]), None)
        assert line is not None, f"{name} missing from\n{java_run.stdout}"
        assert line.split()[1] == f"{rows:,}", f"{name}: {line!r}, pyarrow counts {rows}"


def test_java_cli_run_is_one_trace_across_client_coordinator_and_servers(
        java_run: ClientRun, jaeger: Jaeger, cluster: Cluster):
    trace = _java_trace(jaeger, java_run, cluster)
    # Both servers streamed: trades only on server-1, sensors and events only on server-2.
    served_by = {s.attributes["server.id"] for s in trace.named(grpc("DoGet"), service="server")}
    assert served_by == set(SERVER_IDS)
    _assert_exactly_one_trace(jaeger, java_run)


def test_java_cli_do_get_spans_parent_the_servers_do_get_with_real_row_counts(
        java_run: ClientRun, jaeger: Jaeger, cluster: Cluster):
    trace = _java_trace(jaeger, java_run, cluster)
    for do_get in trace.named("do_get", service="client"):
        dataset = do_get.attributes["flight.dataset"]
        assert do_get.attributes.get("num_rows") == cluster.data.rows[dataset], do_get.describe()
        (flight_span,) = [s for s in trace.spans if s.span_id == do_get.parent_id]
        assert flight_span.name == "get_single_flight"
        assert flight_span.attributes.get("flight.rows") == cluster.data.rows[dataset]
        call = trace.child(do_get, grpc("DoGet"), service="client", kind="client")
        server_span = _assert_server_do_get(trace, call, dataset, cluster)
        assert server_span.attributes.get("flight.batches", 0) >= 1
    root = trace.one("list_and_get_all_flights")
    assert root.attributes.get("flight.rows") == sum(cluster.data.rows.values())


def test_java_cli_listflights_client_span_parents_the_coordinators(
        java_run: ClientRun, jaeger: Jaeger, cluster: Cluster):
    trace = _java_trace(jaeger, java_run, cluster)
    call = trace.one(grpc("ListFlights"), service="client", kind="client")
    served = trace.child(call, grpc("ListFlights"), service="coordinator", kind="server")
    # The stable RPC conventions every process opts into (decisions D68) name the method in full.
    assert served.attributes.get("rpc.method") == "arrow.flight.protocol.FlightService/ListFlights"
    # The coordinator answers from its registry: listing calls no server.
    assert not trace.children(served)


# --- the Python client ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def python_run(cluster: Cluster, base_env: dict[str, str], run_dir) -> tuple[ClientRun, dict]:
    start = now_us()
    done = run([sys.executable, str(PYTHON_CLIENTS / "list_and_get_all_flights.py"),
                "--coordinator", cluster.coordinator, "--json"], base_env, timeout=180, cwd=run_dir)
    end = now_us()
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    printed = json.loads(done.stdout)
    assert re.fullmatch(r"[0-9a-f]{32}", printed.get("trace_id") or ""), printed
    return ClientRun(printed["trace_id"], start, end, done.stdout), printed["flights"]


def _python_trace(jaeger: Jaeger, run: ClientRun, cluster: Cluster) -> Trace:
    def complete() -> Trace:
        trace = jaeger.trace(run.trace_id)
        assert trace is not None, "no span of the trace yet"
        root = _assert_one_connected_tree(trace, "list_and_get_all_flights")
        assert root.service == "client" and _language(root) == "python", root.resource
        # pyarrow records no gRPC spans: the traceparent of the Python span itself reaches Java.
        trace.child(root, grpc("ListFlights"), service="coordinator", kind="server")
        flights = trace.children(root, "get_single_flight", service="client")
        assert sorted(s.attributes.get("flight.dataset") for s in flights) == sorted(cluster.data.rows)
        for flight_span in flights:
            dataset = flight_span.attributes["flight.dataset"]
            trace.child(flight_span, "connect_temp_client", service="client")
            do_get = trace.child(flight_span, "do_get", service="client")
            _assert_server_do_get(trace, do_get, dataset, cluster)
        return trace

    return eventually(complete, timeout=TRACE_TIMEOUT, what=f"Python client trace {run.trace_id}")


def test_python_client_reads_every_row_pyarrow_counts(python_run, cluster: Cluster):
    _, flights = python_run
    assert flights == cluster.data.rows


def test_python_spans_parent_the_java_services_spans_in_one_trace(python_run, jaeger: Jaeger, cluster: Cluster):
    run_, _ = python_run
    trace = _python_trace(jaeger, run_, cluster)
    for do_get in trace.named("do_get", service="client"):
        assert _language(do_get) == "python"
        (flight_span,) = [s for s in trace.spans if s.span_id == do_get.parent_id]
        dataset = flight_span.attributes["flight.dataset"]
        assert do_get.attributes.get("num_rows") == cluster.data.rows[dataset], do_get.describe()
        server_span = trace.child(do_get, grpc("DoGet"), service="server", kind="server")
        assert _language(server_span) == "java"
    _assert_exactly_one_trace(jaeger, run_)


# --- an idle cluster --------------------------------------------------------------------------------

def _flush_barrier(cluster: Cluster, jaeger: Jaeger) -> None:
    """Waits until every span a cluster process ended so far is in Jaeger: one sampled ListFlights
    to each process, under a trace of our own; each process's exporter sends spans in the order they
    ended, so once those calls' spans are stored, everything before them is too."""
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"

    class Inject(flight.ClientMiddlewareFactory):
        def start_call(self, info):
            return _Headers()

    class _Headers(flight.ClientMiddleware):
        def sending_headers(self):
            return {"traceparent": traceparent}

    targets = [cluster.coordinator, *cluster.servers.values()]
    for target in targets:
        client = flight.connect(target, middleware=[Inject()])
        try:
            list(client.list_flights(options=flight.FlightCallOptions(timeout=10)))
        finally:
            client.close()

    def stored():
        trace = jaeger.trace(trace_id)
        assert trace is not None and len({s.instance for s in trace.spans}) == len(targets), str(trace)

    eventually(stored, timeout=TRACE_TIMEOUT, what="flush barrier")


def test_idle_cluster_records_no_heartbeat_traces(cluster: Cluster, jaeger: Jaeger, java_run, python_run):
    # After both client runs (the fixtures above), so their spans are not in the window.
    _flush_barrier(cluster, jaeger)
    start = now_us()
    # Longer than the lease: the cluster must still be listed afterwards, so heartbeats did run.
    time.sleep(LEASE_SECONDS + HEARTBEAT_SECONDS)
    end = now_us()
    _flush_barrier(cluster, jaeger)

    cluster.processes.check_alive()
    listing = coordinator_listing(cluster.coordinator)
    assert {n: len(locations(i)) for n, i in listing.items()} == {
        n: len(h) for n, h in cluster.data.holders.items()}, "a server lost its lease while idle"

    window = {}
    for service in ("server", "coordinator"):
        for t in jaeger.find_traces(service, start, end):
            window[t.trace_id] = t
    heartbeats = [t for t in window.values() if t.named("heartbeat")]
    assert not heartbeats, "heartbeat traces while idle:\n" + "\n".join(map(str, heartbeats))
    do_action_only = [t for t in window.values() if {s.name for s in t.spans} == {grpc("DoAction")}]
    assert not do_action_only, "DoAction-only traces while idle:\n" + "\n".join(map(str, do_action_only))
    assert not window, "traces while idle:\n" + "\n".join(map(str, window.values()))


# --- uploads ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["uploaded.parquet", "uploaded_folder"])
def test_python_put_via_choose_server_is_then_listed_by_the_coordinator(
        name: str, cluster: Cluster, jaeger: Jaeger, base_env: dict[str, str], run_dir):
    source = run_dir / f"source-{name}.parquet"
    rows = 20_000 if name.endswith(".parquet") else 7_500
    table = pa.table({"id": pa.array(range(rows), pa.int64()),
                      "amount": pa.array([i / 8 for i in range(rows)], pa.float64()),
                      "note": pa.array([f"n{i % 37}" for i in range(rows)], pa.string())})
    pq.write_table(table, source)
    expected_rows = pq.ParquetFile(source).metadata.num_rows

    done = run([sys.executable, str(PYTHON_CLIENTS / "put_dataset.py"), str(source), "--name", name,
                "--coordinator", cluster.coordinator, "--batch-rows", "4096"], base_env, timeout=120)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    result = json.loads(done.stdout)
    assert result["dataset"] == name and result["rows"] == expected_rows, result
    assert cluster.servers[result["server_id"]] == result["location"], result

    # "x.parquet" is stored as a file, any other name as a folder dataset; both under the name put.
    stored = cluster.data.server_dirs[result["server_id"]] / name
    assert stored.is_file() if name.endswith(".parquet") else stored.is_dir(), stored

    def listed() -> flight.FlightInfo:
        info = coordinator_listing(cluster.coordinator).get(name)
        assert info is not None, f"{name} not listed yet"
        assert info.total_records == expected_rows
        assert locations(info) == [result["location"]]
        return info

    info = eventually(listed, timeout=TRACE_TIMEOUT, what=f"{name} listed by the coordinator")
    client = flight.connect(result["location"])
    try:
        back = client.do_get(info.endpoints[0].ticket).read_all()
    finally:
        client.close()
    assert back.equals(table), f"what was put comes back unchanged: {back.schema} vs {table.schema}"

    def put_trace() -> Trace:
        trace = jaeger.trace(result["trace_id"])
        assert trace is not None, "no span of the trace yet"
        root = _assert_one_connected_tree(trace, "put_dataset")
        assert _language(root) == "python"
        choose = trace.child(root, "choose_server", service="client")
        trace.child(choose, grpc("DoAction"), service="coordinator", kind="server")
        do_put = trace.child(root, "do_put", service="client")
        stored_span = trace.child(do_put, grpc("DoPut"), service="server", kind="server")
        assert stored_span.attributes.get("flight.dataset") == name, stored_span.describe()
        assert stored_span.attributes.get("server.id") == result["server_id"], stored_span.describe()
        return trace

    eventually(put_trace, timeout=TRACE_TIMEOUT, what=f"trace of the put of {name}")
