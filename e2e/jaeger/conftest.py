"""Session fixtures of the Jaeger suite: Jaeger, Parquet fixture data written by pyarrow, and the
cluster from the distribution as separate processes (a coordinator and two servers on 127.0.0.1),
every process exporting OTLP to that Jaeger.

Everything started here is stopped by the fixtures' finalizers, even when a test fails; an atexit
hook and run-suite.sh's trap catch what an interrupted run left behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

from jaeger_api import RUN_ATTRIBUTE, Jaeger, eventually, now_us
from processes import Processes

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DISTRIBUTION = REPO / "cli/target/flight-cluster/bin/flight-cluster"
PYTHON_CLIENTS = REPO / "clients/python"

OTLP_ENDPOINT = "http://127.0.0.1:4317"
SERVER_IDS = ("server-1", "server-2")
# Short enough that an idle window of a few intervals is cheap; the lease is four of them, so a
# cluster that stays listed through a longer idle window proves the (untraced) heartbeats ran.
HEARTBEAT_SECONDS = 1
LEASE_SECONDS = 4


@dataclass(frozen=True)
class FixtureData:
    server_dirs: dict[str, Path]  # server id -> its --data-dir
    rows: dict[str, int]  # dataset name -> rows, as pyarrow counts them in the files
    holders: dict[str, set[str]]  # dataset name -> server ids holding it


@dataclass
class Cluster:
    coordinator: str  # grpc://127.0.0.1:PORT
    servers: dict[str, str]  # server id -> advertised location
    data: FixtureData
    processes: Processes
    started_us: int  # before any process of the cluster started

    def server_of(self, location: str) -> str:
        return next(sid for sid, loc in self.servers.items() if loc == location)


def pytest_sessionstart(session):
    # CI stops a run with SIGTERM: turn it into the KeyboardInterrupt pytest already handles, so the
    # session's finalizers stop the cluster and Jaeger instead of leaving them running.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    cluster = item.funcargs.get("cluster") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(cluster, Cluster):
        report.sections.append(("cluster logs", f"{cluster.processes.log_dir}\n{cluster.processes.logs()}"))


@pytest.fixture(scope="session")
def run_dir() -> Path:
    """Logs, pids and data of this run; run-suite.sh provides it (and removes it after a pass)."""
    given = os.environ.get("AFC_SUITE_RUN_DIR")
    path = Path(given) if given else Path(tempfile.mkdtemp(prefix="afc-jaeger-suite."))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def run_id() -> str:
    return secrets.token_hex(8)


@pytest.fixture(scope="session")
def base_env(run_id: str) -> dict[str, str]:
    """The environment of every child: the caller's, less anything that could redirect or switch
    off tracing or reconfigure the cluster, plus the export settings of the suite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FLIGHT_"))}
    env.update({
        "OTEL_EXPORTER_OTLP_ENDPOINT": OTLP_ENDPOINT,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_RESOURCE_ATTRIBUTES": f"{RUN_ATTRIBUTE}={run_id}",
        # Four JVMs and Jaeger share two cores: keep each JVM small and its GC single-threaded.
        "JAVA_OPTS": "-Xmx384m -XX:MaxDirectMemorySize=512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


@pytest.fixture(scope="session")
def jaeger(run_dir: Path, run_id: str) -> Jaeger:
    env = dict(os.environ, JAEGER_RUN_DIR=str(run_dir / "jaeger"))
    started = subprocess.run([str(HERE / "start.sh")], env=env, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=900)
    try:
        if started.returncode != 0:
            pytest.fail(f"e2e/jaeger/start.sh failed ({started.returncode}):\n{started.stdout}{started.stderr}",
                        pytrace=False)
        yield Jaeger(run_id)
    finally:
        subprocess.run([str(HERE / "stop.sh")], env=env, capture_output=True, stdin=subprocess.DEVNULL,
                       timeout=30)


def _write_fixture_data(root: Path) -> FixtureData:
    """Four datasets of 25k-100k rows (int64, double, timestamp, string columns): one only on
    server-1, a file and a hive-partitioned folder only on server-2, and one byte-identical copy on
    both (a replica)."""

    def table(n: int, offset: int) -> pa.Table:
        ids = list(range(offset, offset + n))
        return pa.table({
            "id": pa.array(ids, pa.int64()),
            "value": pa.array([i * 0.25 - 1000.0 for i in ids], pa.float64()),
            "ts": pa.array([1_700_000_000_000_000 + i * 1_000_003 for i in ids], pa.timestamp("us", tz="UTC")),
            "label": pa.array([f"label-{i % 1013:04d}" for i in ids], pa.string()),
        })

    dirs = {sid: root / sid for sid in SERVER_IDS}
    for d in dirs.values():
        d.mkdir(parents=True)
    pq.write_table(table(100_000, 0), dirs["server-1"] / "trades.parquet", row_group_size=30_000)
    pq.write_table(table(60_000, 500_000), dirs["server-2"] / "sensors.parquet")
    for day, n in (("2024-01-01", 12_000), ("2024-01-02", 15_000), ("2024-01-03", 18_000)):
        part = dirs["server-2"] / "events" / f"day={day}"
        part.mkdir(parents=True)
        pq.write_table(table(n, 900_000 + n), part / "part-0.parquet")
    pq.write_table(table(25_000, 2_000_000), dirs["server-1"] / "customers.parquet")
    shutil.copyfile(dirs["server-1"] / "customers.parquet", dirs["server-2"] / "customers.parquet")

    holders = {"trades.parquet": {"server-1"}, "sensors.parquet": {"server-2"}, "events": {"server-2"},
               "customers.parquet": set(SERVER_IDS)}
    # The truth every row count is compared with: pyarrow reading the files back.
    rows = {}
    for name, held_by in holders.items():
        path = dirs[sorted(held_by)[0]] / name
        rows[name] = (pq.read_table(path).num_rows if path.is_file()
                      else pads.dataset(path, format="parquet", partitioning="hive").count_rows())
    assert rows == {"trades.parquet": 100_000, "sensors.parquet": 60_000, "events": 45_000,
                    "customers.parquet": 25_000}
    return FixtureData(dirs, rows, holders)


@pytest.fixture(scope="session")
def fixture_data(run_dir: Path) -> FixtureData:
    return _write_fixture_data(run_dir / "data")


def _free_ports(n: int) -> list[int]:
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def coordinator_listing(coordinator: str, timeout: float = 5.0) -> dict[str, flight.FlightInfo]:
    client = flight.connect(coordinator)
    try:
        infos = client.list_flights(options=flight.FlightCallOptions(timeout=timeout))
        return {info.descriptor.path[0].decode(): info for info in infos}
    finally:
        client.close()


def locations(info: flight.FlightInfo) -> list[str]:
    return [loc.uri.decode() for endpoint in info.endpoints for loc in endpoint.locations]


@pytest.fixture(scope="session")
def cluster(jaeger: Jaeger, fixture_data: FixtureData, base_env: dict[str, str], run_dir: Path) -> Cluster:
    if not os.access(DISTRIBUTION, os.X_OK):
        pytest.fail(f"no distribution at {DISTRIBUTION}: run e2e/jaeger/run-suite.sh, or "
                    "./mvnw -B -ntp -q -pl cli -am package -DskipTests", pytrace=False)
    processes = Processes(run_dir / "logs", run_dir / "pids")
    try:
        cport, *sports = _free_ports(1 + len(SERVER_IDS))
        coordinator = f"grpc://127.0.0.1:{cport}"
        started_us = now_us()
        processes.start("coordinator", [
            str(DISTRIBUTION), "coordinator", "--host", "127.0.0.1", "--port", str(cport), "--http-port", "0",
            "--lease", f"{LEASE_SECONDS}s", "--heartbeat-interval", f"{HEARTBEAT_SECONDS}s"], base_env)

        def coordinator_answers():
            processes.check_alive()
            try:
                coordinator_listing(coordinator, timeout=2)
            except flight.FlightError as error:
                raise AssertionError(str(error)) from error

        # The servers start only once the coordinator answers: a server's first hello is the traced
        # one (retries are not), and the hello test looks for it.
        eventually(coordinator_answers, timeout=90, what="coordinator up")

        servers = {sid: f"grpc://127.0.0.1:{port}" for sid, port in zip(SERVER_IDS, sports)}
        for sid, port in zip(SERVER_IDS, sports):
            processes.start(sid, [
                str(DISTRIBUTION), "server", "--host", "127.0.0.1", "--port", str(port),
                "--advertise", servers[sid], "--coordinator", coordinator, "--server-id", sid,
                "--data-dir", str(fixture_data.server_dirs[sid]),
                "--heartbeat-interval", f"{HEARTBEAT_SECONDS}s", "--batch-rows", "16384"], base_env)

        def everything_listed():
            processes.check_alive()
            try:
                listing = coordinator_listing(coordinator, timeout=2)
            except flight.FlightError as error:
                raise AssertionError(str(error)) from error
            got = {name: {next(s for s, loc in servers.items() if loc == l) for l in locations(info)}
                   for name, info in listing.items()}
            assert got == fixture_data.holders, f"coordinator lists {got}"

        eventually(everything_listed, timeout=90, what="every dataset listed with its replicas")
        yield Cluster(coordinator, servers, fixture_data, processes, started_us)
    except BaseException:
        # Shown with the failure of whatever test needed the cluster.
        sys.stderr.write(f"\ncluster logs in {run_dir / 'logs'}:\n{processes.logs()}\n")
        raise
    finally:
        processes.stop_all()
