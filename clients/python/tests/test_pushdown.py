"""Pushdown against a real cluster (a coordinator and two data servers of the distribution): the rows
get_dataset.py reads with --columns/--where/--limit equal pyarrow's own filter of the same files,
for every operator of the filter language and for typed literals (README "Read only what you need").

The dataset `events` is hive-partitioned by `region`: the `region=eu` files are on server 1, the
`region=us` files on server 2, so a filter on `region` plans one endpoint only.

Needs the distribution: ./mvnw -B -ntp -q -pl cli -am package -DskipTests (run-suite.sh builds it).
"""

from __future__ import annotations

import datetime
import decimal
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import get_dataset as getter  # noqa: E402

from cluster_processes import DISTRIBUTION, base_env, start  # noqa: E402
NY = "America/New_York"
ROWS_PER_FILE = 250
FILES = ["region=eu/part-0.parquet", "region=eu/part-1.parquet",
         "region=us/part-0.parquet", "region=us/part-1.parquet"]


def _env() -> dict[str, str]:
    return {**base_env(),
            "JAVA_OPTS": "-Xmx384m -XX:MaxDirectMemorySize=512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"}


def _start(args: list[str], pattern: str, log: Path) -> tuple[subprocess.Popen, re.Match]:
    return start(args, pattern, log, env=_env())




def _file_table(index: int) -> pa.Table:
    """Rows `index * ROWS_PER_FILE + i`; every value a function of the id, with nulls in `name`."""
    ids = [index * ROWS_PER_FILE + i for i in range(ROWS_PER_FILE)]
    base = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "qty": pa.array([i % 100 for i in ids], pa.int32()),
        "price": pa.array([i * 0.5 for i in ids], pa.float64()),
        "amount": pa.array([decimal.Decimal(i) / 4 for i in ids], pa.decimal128(10, 2)),
        "name": pa.array([None if i % 7 == 0 else f"{'ab' if i % 3 == 0 else 'cd'}-{i}" for i in ids]),
        "tag": pa.array([["red", "green", "blue"][i % 3] for i in ids]).dictionary_encode(),
        "flag": pa.array([i % 2 == 0 for i in ids]),
        "day": pa.array([datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 10) for i in ids], pa.date32()),
        "ts": pa.array([base + datetime.timedelta(minutes=7 * i) for i in ids], pa.timestamp("us", tz=NY)),
    })


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not os.access(DISTRIBUTION, os.X_OK):
        pytest.fail(f"no distribution at {DISTRIBUTION}: ./mvnw -B -ntp -q -pl cli -am package -DskipTests",
                    pytrace=False)
    root = tmp_path_factory.mktemp("pushdown")
    everything = root / "all" / "events"  # what pyarrow reads, the union of both servers' files
    data = [root / "server-1", root / "server-2"]
    for index, path in enumerate(FILES):
        table = _file_table(index)
        for target in (everything, data[0 if path.startswith("region=eu") else 1] / "events"):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target / path)
    processes = []
    try:
        coordinator, match = _start(["coordinator", "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--lease", "3s",
                                     "--heartbeat-interval", "500ms"],
                                    r"coordinator listening on grpc://[^:]+:(\d+)", root / "coordinator.log")
        processes.append(coordinator)
        uri = f"grpc://127.0.0.1:{match.group(1)}"
        servers = []
        for i, directory in enumerate(data, start=1):
            server, match = _start(["server", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(directory),
                                    "--coordinator", uri, "--heartbeat-interval", "500ms", "--batch-rows", "64"],
                                   r"on port (\d+)", root / f"server-{i}.log")
            processes.append(server)
            servers.append(f"grpc://127.0.0.1:{match.group(1)}")
        client = flight.connect(uri)
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get_flight_info(flight.FlightDescriptor.for_path("events")).total_records \
                        == ROWS_PER_FILE * len(FILES):
                    break
            except flight.FlightError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the coordinator did not serve both servers' files of events", pytrace=False)
            time.sleep(0.3)
        client.close()
        yield {"coordinator": uri, "servers": servers,
               "pyarrow": ds.dataset(everything, format="parquet", partitioning="hive")}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _rows(table: pa.Table) -> list[dict]:
    return table.sort_by("id").to_pylist()


def _expected(cluster, expression, columns=None) -> list[dict]:
    table = cluster["pyarrow"].to_table(filter=expression)
    if columns:
        table = table.select(columns)
    return _rows(table)


UTC_NOON = datetime.datetime(2024, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)

# Each filter of the cluster's language and the same filter as a pyarrow.compute expression.
OPERATORS = {
    "equal": ("id = 7", pc.field("id") == 7),
    "not equal": ("qty <> 7", pc.field("qty") != 7),
    "less": ("qty < 10", pc.field("qty") < 10),
    "less or equal": ("qty <= 10", pc.field("qty") <= 10),
    "greater": ("qty > 90", pc.field("qty") > 90),
    "greater or equal": ("qty >= 90", pc.field("qty") >= 90),
    "and": ("qty > 10 AND qty < 20", (pc.field("qty") > 10) & (pc.field("qty") < 20)),
    "or": ("qty < 5 OR qty > 95", (pc.field("qty") < 5) | (pc.field("qty") > 95)),
    "not": ("NOT (qty < 50)", ~(pc.field("qty") < 50)),
    "in": ("qty IN (1, 2, 3)", pc.field("qty").isin([1, 2, 3])),
    "between": ("qty BETWEEN 10 AND 20", (pc.field("qty") >= 10) & (pc.field("qty") <= 20)),
    "is null": ("name IS NULL", pc.field("name").is_null()),
    "is not null": ("name IS NOT NULL", pc.field("name").is_valid()),
    "like prefix": ("name LIKE 'ab%'", pc.starts_with(pc.field("name"), "ab")),
    "like exact": ("name LIKE 'cd-10'", pc.field("name") == "cd-10"),
    "plus and times": ("qty * 2 + 1 > 150", pc.field("qty") * 2 + 1 > 150),
    "minus": ("qty - 5 = 0", pc.field("qty") - 5 == 0),
    "divide": ("price / 2 < 10", pc.field("price") / 2 < 10),
    "string": ("name = 'cd-8'", pc.field("name") == "cd-8"),
    "boolean": ("flag = TRUE AND qty < 20", (pc.field("flag") == True) & (pc.field("qty") < 20)),  # noqa: E712
    "decimal": ("amount > 200.25", pc.field("amount") > pa.scalar(decimal.Decimal("200.25"), pa.decimal128(10, 2))),
    "date": ("\"day\" = DATE '2024-01-03'", pc.field("day") == pa.scalar(datetime.date(2024, 1, 3), pa.date32())),
    "timestamp with time zone": ("ts >= TIMESTAMP '2024-01-02 12:00:00'",
                                 pc.field("ts") >= pa.scalar(UTC_NOON, pa.timestamp("us", tz=NY))),
    "dictionary string": ("tag = 'red'", pc.field("tag") == "red"),
    "dictionary string in": ("tag IN ('green', 'blue') AND qty < 30",
                             pc.field("tag").isin(["green", "blue"]) & (pc.field("qty") < 30)),
    "partition column": ("region = 'us' AND qty > 50", (pc.field("region") == "us") & (pc.field("qty") > 50)),
}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_every_operator_returns_what_pyarrow_returns(cluster, name):
    sql, expression = OPERATORS[name]
    expected = _expected(cluster, expression)
    assert expected, f"the filter {sql!r} keeps no row: the test would prove nothing"

    got = getter.get_dataset(cluster["coordinator"], "events", where=sql)

    assert _rows(got) == expected


def test_a_projection_returns_the_columns_asked_in_their_order(cluster):
    got = getter.get_dataset(cluster["coordinator"], "events", columns=["qty", "id", "region"],
                             where="id BETWEEN 240 AND 260")

    assert got.column_names == ["qty", "id", "region"]
    assert _rows(got) == _expected(cluster, (pc.field("id") >= 240) & (pc.field("id") <= 260),
                                   ["qty", "id", "region"])


def test_a_filter_on_the_partition_column_plans_only_the_server_that_can_match(cluster):
    client = flight.connect(cluster["coordinator"])
    try:
        info = client.get_flight_info(getter.query_descriptor("events", ["id"], "region = 'eu'"))
    finally:
        client.close()

    locations = {str(loc.uri.decode() if isinstance(loc.uri, bytes) else loc.uri)
                 for endpoint in info.endpoints for loc in endpoint.locations}
    assert locations == {cluster["servers"][0]}
    assert info.total_records == -1
    assert info.schema.names == ["id"]


def test_a_limit_holds_across_both_servers(cluster):
    got = getter.get_dataset(cluster["coordinator"], "events", columns=["id"], where="qty < 50", limit=37)

    assert got.num_rows == 37
    assert set(got.column("id").to_pylist()) <= {r["id"] for r in _expected(cluster, pc.field("qty") < 50)}


def test_a_bad_filter_is_invalid_argument_with_its_position(cluster, capsys):
    # pyarrow raises a Flight INVALID_ARGUMENT as ArrowInvalid.
    with pytest.raises(pa.ArrowInvalid) as failure:
        getter.get_dataset(cluster["coordinator"], "events", where="qty > > 3")
    assert re.search(r"line 1, column \d+", str(failure.value))

    status = getter.main(["events", "--coordinator", cluster["coordinator"], "--where", "fare > 3"])

    assert status == 2
    assert "fare" in capsys.readouterr().err


def test_the_script_writes_the_rows_asked_for(cluster, tmp_path, capsys):
    output = tmp_path / "eu.parquet"

    status = getter.main(["events", "--coordinator", cluster["coordinator"], "--columns", "id,tag",
                          "--where", "region = 'eu' AND qty < 3", "--limit", "4", "--output", str(output)])

    assert status == 0
    assert '"rows": 4' in capsys.readouterr().out
    written = pq.read_table(output)
    assert written.column_names == ["id", "tag"]
    assert written.num_rows == 4
    eu = {r["id"] for r in _expected(cluster, (pc.field("region") == "eu") & (pc.field("qty") < 3))}
    assert set(written.column("id").to_pylist()) <= eu
