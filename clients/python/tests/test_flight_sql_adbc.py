"""ADBC's Flight SQL driver against a real cluster (README "SQL tools (JDBC, ADBC)"): one coordinator,
two data servers each holding part of one dataset. Lists the tables, queries with WHERE through a
cursor, and ingests a table with adbc_ingest, then reads it back."""

from __future__ import annotations

import subprocess
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

adbc = pytest.importorskip("adbc_driver_flightsql.dbapi")

from cluster_processes import DISTRIBUTION, start  # noqa: E402

pytestmark = pytest.mark.skipif(
    not DISTRIBUTION.exists(), reason="needs the distribution: ./mvnw -pl cli -am package -DskipTests")


def trips(first: int, rows: int, server: str) -> pa.Table:
    ids = list(range(first, first + rows))
    return pa.table({"id": pa.array(ids, pa.int64()), "server": [server] * rows,
                     "amount": pa.array([i * 0.5 for i in ids], pa.float64())})


@pytest.fixture(scope="module")
def coordinator_uri(tmp_path_factory):
    root = tmp_path_factory.mktemp("sql-cluster")
    processes = []
    try:
        coordinator, match = start(
            ["coordinator", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--lease", "2s",
             "--heartbeat-interval", "500ms"],
            r"coordinator listening on grpc\+?t?c?p?://[^:]+:(\d+)", root / "coordinator.log")
        processes.append(coordinator)
        uri = f"grpc://127.0.0.1:{match.group(1)}"
        for index, (first, rows) in enumerate([(0, 300), (300, 700)], start=1):
            data = root / f"data-{index}"
            (data / "trips").mkdir(parents=True)
            pq.write_table(trips(first, rows, f"server-{index}"), data / "trips" / f"part-{index}.parquet")
            server, _ = start(
                ["server", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(data), "--coordinator", uri,
                 "--heartbeat-interval", "500ms", "--server-id", f"server-{index}"],
                r"on port (\d+)", root / f"server-{index}.log")
            processes.append(server)
        yield uri
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def eventually(check, timeout: float = 90):
    """Retries check until it returns without raising: the servers register in the background."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except (adbc.Error, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def tables(conn) -> dict[str, list[str]]:
    objects = conn.adbc_get_objects(depth="tables").read_all().to_pylist()
    found = {}
    for catalog in objects:
        for schema in catalog["catalog_db_schemas"] or []:
            key = f'{catalog["catalog_name"]}.{schema["db_schema_name"]}'
            found[key] = sorted(t["table_name"] for t in schema["db_schema_tables"] or [])
    return found


def query(conn, sql: str) -> pa.Table:
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetch_arrow_table()


def test_adbc_lists_the_datasets_as_tables(coordinator_uri):
    with adbc.connect(coordinator_uri, autocommit=True) as conn:
        def listed():
            found = tables(conn)
            assert "trips" in found.get("flight_cluster.datasets", []), found
            return found
        eventually(listed)


def test_adbc_queries_with_where_and_reads_rows_of_both_servers(coordinator_uri):
    with adbc.connect(coordinator_uri, autocommit=True) as conn:
        def both():
            table = query(conn, "SELECT id, server FROM trips WHERE id >= 250 AND id < 350")
            assert table.num_rows == 100
            return table
        table = eventually(both)
        assert table.column_names == ["id", "server"]
        assert sorted(table.column("id").to_pylist()) == list(range(250, 350))
        # ids 250..299 live on server-1, 300..349 on server-2: the rows came from both.
        counts = {row["values"]: row["counts"] for row in pc.value_counts(table.column("server")).to_pylist()}
        assert counts == {"server-1": 50, "server-2": 50}
        assert query(conn, "SELECT COUNT(*) FROM trips").column(0).to_pylist() == [1000]


def test_adbc_ingest_creates_a_dataset_that_reads_back(coordinator_uri):
    upload = pa.table({"id": pa.array(range(250), pa.int64()), "name": [f"n{i}" for i in range(250)]})
    with adbc.connect(coordinator_uri, autocommit=True) as conn:
        eventually(lambda: tables(conn)["flight_cluster.datasets"])
        with conn.cursor() as cursor:
            assert cursor.adbc_ingest("ingested", upload, mode="create") == 250
        with conn.cursor() as cursor, pytest.raises(adbc.Error, match="already exists"):
            cursor.adbc_ingest("ingested", upload, mode="create")

        def read_back():
            table = query(conn, "SELECT id, name FROM ingested WHERE id < 10")
            assert table.num_rows == 10
            return table
        table = eventually(read_back)
        assert sorted(zip(table.column("id").to_pylist(), table.column("name").to_pylist())) == [
            (i, f"n{i}") for i in range(10)]
