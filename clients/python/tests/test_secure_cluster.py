"""pyarrow against a real secure cluster: authenticate_basic_token at the coordinator, then
do_get at the data server with the same token (README "Secure cluster")."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from list_and_get_all_flights import list_and_get_all_flights  # noqa: E402
from put_dataset import main as put_main  # noqa: E402
from put_dataset import put_dataset  # noqa: E402

from cluster_processes import DISTRIBUTION, base_env, start  # noqa: E402

pytestmark = pytest.mark.skipif(
    not DISTRIBUTION.exists() or shutil.which("openssl") is None,
    reason="needs openssl and the distribution: ./mvnw -pl cli -am package -DskipTests")

READ_PASSWORD = "reader-secret-1"
NODE_PASSWORD = "node-secret-2"
WRITE_PASSWORD = "writer-secret-3"


def run(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(args, check=True, capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL)




@pytest.fixture()
def secure_cluster(tmp_path):
    key = tmp_path / "token-signing-key.pem"
    pub = tmp_path / "token-verify-key.pem"
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(key))
    run("openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub))
    users = tmp_path / "users"
    run(str(DISTRIBUTION), "users", "add", str(users), "alice", "--role", "read",
        env={**base_env(), "FLIGHT_PASSWORD": READ_PASSWORD})
    run(str(DISTRIBUTION), "users", "add", str(users), "walt", "--role", "write",
        env={**base_env(), "FLIGHT_PASSWORD": WRITE_PASSWORD})
    run(str(DISTRIBUTION), "users", "add", str(users), "node1", "--role", "node",
        env={**base_env(), "FLIGHT_PASSWORD": NODE_PASSWORD})
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(pa.table({"id": list(range(1234))}), data / "numbers.parquet")
    processes = []
    try:
        coordinator, match = start(
            ["coordinator", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--lease", "2s", "--heartbeat-interval", "500ms",
             "--users", str(users), "--token-signing-key", str(key)],
            r"coordinator listening on grpc\+?t?c?p?://[^:]+:(\d+)", tmp_path / "coordinator.log")
        processes.append(coordinator)
        coordinator_uri = f"grpc://127.0.0.1:{match.group(1)}"
        server, match = start(
            ["server", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data),
             "--coordinator", coordinator_uri, "--heartbeat-interval", "500ms",
             "--token-verify-key", str(pub), "--node-user", "node1"],
            r"on port (\d+)", tmp_path / "server.log", env={**base_env(), "FLIGHT_NODE_PASSWORD": NODE_PASSWORD})
        processes.append(server)
        yield coordinator_uri, f"grpc://127.0.0.1:{match.group(1)}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_token_from_the_coordinator_reads_at_the_data_server(secure_cluster):
    coordinator_uri, server_uri = secure_cluster
    coordinator = flight.connect(coordinator_uri)
    with pytest.raises(flight.FlightUnauthenticatedError):
        coordinator.authenticate_basic_token(b"alice", b"wrong")
    token = coordinator.authenticate_basic_token(b"alice", READ_PASSWORD.encode())
    options = flight.FlightCallOptions(headers=[token])
    # The server registers in the background; until then the dataset is not found (KeyError).
    deadline = time.monotonic() + 90
    info = None
    while info is None:
        try:
            info = coordinator.get_flight_info(flight.FlightDescriptor.for_path("numbers.parquet"), options)
        except (flight.FlightUnavailableError, flight.FlightError, KeyError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    server = flight.connect(server_uri)
    with pytest.raises(flight.FlightUnauthenticatedError):
        server.do_get(info.endpoints[0].ticket).read_all()
    table = server.do_get(info.endpoints[0].ticket, options).read_all()
    assert table.num_rows == 1234
    assert list_and_get_all_flights(coordinator_uri, user="alice", password=READ_PASSWORD) == {"numbers.parquet": 1234}


def test_put_dataset_logs_in_as_a_write_user(secure_cluster, tmp_path, monkeypatch, capsys):
    coordinator_uri, _ = secure_cluster
    upload = tmp_path / "upload.parquet"
    pq.write_table(pa.table({"id": list(range(77))}), upload)
    with pytest.raises(flight.FlightUnauthenticatedError):
        put_dataset(str(upload), "anonymous.parquet", coordinator_uri)
    with pytest.raises(flight.FlightUnauthorizedError):
        put_dataset(str(upload), "by-reader.parquet", coordinator_uri, user="alice", password=READ_PASSWORD)
    monkeypatch.delenv("FLIGHT_PASSWORD", raising=False)
    assert put_main([str(upload), "--coordinator", coordinator_uri, "--user", "walt"]) == 2
    assert "FLIGHT_PASSWORD" in capsys.readouterr().err
    # choose_server waits for the server to register, as a read does.
    deadline = time.monotonic() + 90
    while True:
        try:
            result = put_dataset(str(upload), "uploaded.parquet", coordinator_uri, user="walt",
                                 password=WRITE_PASSWORD)
            break
        except flight.FlightUnavailableError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    assert result["rows"] == 77
    deadline = time.monotonic() + 30
    while True:
        counts = list_and_get_all_flights(coordinator_uri, user="alice", password=READ_PASSWORD)
        if "uploaded.parquet" in counts or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert counts.get("uploaded.parquet") == 77
