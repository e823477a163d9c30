"""Every Arrow type Parquet can hold, sent by pyarrow to a real data server (the distribution, run
alone with --coordinator none), comes back from DoGet as it was sent; the file the server stored
reads back the same in pyarrow too.

Needs the distribution: ./mvnw -B -ntp -q -pl cli -am package -DskipTests (run-suite.sh builds it).
"""

from __future__ import annotations

import datetime
import decimal
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[3]
DISTRIBUTION = REPO / "cli/target/flight-cluster/bin/flight-cluster"
NY = "America/New_York"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not os.access(DISTRIBUTION, os.X_OK):
        pytest.fail(f"no distribution at {DISTRIBUTION}: ./mvnw -B -ntp -q -pl cli -am package -DskipTests",
                    pytrace=False)
    data_dir = tmp_path_factory.mktemp("types-data")
    log = tmp_path_factory.mktemp("types-log") / "server.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FLIGHT_"))}
    env.update({"OTEL_SDK_DISABLED": "true",
                "JAVA_OPTS": "-Xmx384m -XX:MaxDirectMemorySize=512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"})
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(DISTRIBUTION), "server", "--host", "127.0.0.1", "--port", str(port), "--coordinator", "none",
             "--data-dir", str(data_dir), "--batch-rows", "2"],
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    location = f"grpc://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}", pytrace=False)
            try:
                client = flight.connect(location)
                list(client.list_flights(options=flight.FlightCallOptions(timeout=2)))
                client.close()
                break
            except flight.FlightError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the server did not answer within 120 s:\n{log.read_text()}", pytrace=False)
                time.sleep(0.2)
        yield location, data_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def all_types() -> pa.Table:
    n = [0, 1, None, 3, 4]
    ts = [1_700_000_000 + i if i is not None else None for i in n]
    columns = {
        "int8": pa.array([-128, 1, None, 3, 127], pa.int8()),
        "int16": pa.array([-32768, 1, None, 3, 32767], pa.int16()),
        "int32": pa.array([-2**31, 1, None, 3, 2**31 - 1], pa.int32()),
        "int64": pa.array([-2**63, 1, None, 3, 2**63 - 1], pa.int64()),
        "uint8": pa.array([0, 1, None, 3, 255], pa.uint8()),
        "uint16": pa.array([0, 1, None, 3, 65535], pa.uint16()),
        "uint32": pa.array([0, 1, None, 3, 2**32 - 1], pa.uint32()),
        "uint64": pa.array([0, 1, None, 3, 2**64 - 1], pa.uint64()),
        "float16": pa.array([0.5, -1.5, None, 2.0, 65504.0], pa.float16()),
        "float32": pa.array([0.5, -1.25, None, 3.0, 1e30], pa.float32()),
        "float64": pa.array([0.5, -1.25, None, 3.0, 1e300], pa.float64()),
        "string": pa.array(["a", "", None, "comma, \"quote\"\nline", "é"], pa.string()),
        "large_string": pa.array(["a", "", None, "x" * 40, "é"], pa.large_string()),
        "binary": pa.array([b"\x00", b"", None, b"\xff\xfe", b"abc"], pa.binary()),
        "large_binary": pa.array([b"\x00", b"", None, b"\xff\xfe", b"abc"], pa.large_binary()),
        "fixed_size_binary": pa.array([b"abcd", b"\x00\x00\x00\x00", None, b"wxyz", b"1234"], pa.binary(4)),
        "bool": pa.array([True, False, None, True, False]),
        "date32": pa.array([datetime.date(2024, 1, 1), datetime.date(1970, 1, 1), None,
                            datetime.date(1900, 3, 1), datetime.date(2999, 12, 31)], pa.date32()),
        "date64": pa.array([86_400_000 * i if i is not None else None for i in n], pa.date64()),
        "time32_s": pa.array([3600 * i if i is not None else None for i in n], pa.time32("s")),
        "time32_ms": pa.array([3_600_000 * i if i is not None else None for i in n], pa.time32("ms")),
        "time64_us": pa.array([3_600_000_000 * i if i is not None else None for i in n], pa.time64("us")),
        "time64_ns": pa.array([3_600_000_000_000 * i if i is not None else None for i in n], pa.time64("ns")),
        "decimal128": pa.array([decimal.Decimal("-12345678.91"), decimal.Decimal("0.01"), None,
                                decimal.Decimal("3.00"), decimal.Decimal("99999999.99")], pa.decimal128(10, 2)),
        "decimal256": pa.array([decimal.Decimal("12345678901234567890123456789012345.00001"), decimal.Decimal("0"),
                                None, decimal.Decimal("-1.5"), decimal.Decimal("2")], pa.decimal256(40, 5)),
        "list": pa.array([[], [1], None, [3, None, 5], [4]], pa.list_(pa.int32())),
        "large_list": pa.array([[], ["a"], None, ["b", None], ["c"]], pa.large_list(pa.string())),
        "fixed_size_list": pa.array([[0, 1], [1, None], None, [3, 4], [5, 6]], pa.list_(pa.int32(), 2)),
        "struct": pa.array([{"a": 0, "b": "x"}, {"a": 1, "b": None}, None, {"a": None, "b": "z"}, {"a": 4, "b": "w"}],
                           pa.struct([("a", pa.int32()), ("b", pa.string())])),
        "map": pa.array([[], [("k", 1)], None, [("k", None), ("l", 2)], [("m", 3)]], pa.map_(pa.string(), pa.int32())),
        "dictionary_string": pa.array(["red", "green", None, "red", "blue"]).dictionary_encode(),
        "null": pa.nulls(5),
        "string_view": pa.array(["a", "", None, "a value longer than twelve bytes", "é"], pa.string_view()),
    }
    for unit in ("s", "ms", "us", "ns"):
        scale = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
        values = [t * scale if t is not None else None for t in ts]
        columns[f"timestamp_{unit}"] = pa.array(values, pa.timestamp(unit))
        columns[f"timestamp_{unit}_utc"] = pa.array(values, pa.timestamp(unit, tz="UTC"))
        columns[f"timestamp_{unit}_ny"] = pa.array(values, pa.timestamp(unit, tz=NY))
        columns[f"duration_{unit}"] = pa.array([-5 * scale + 7 * i if i is not None else None for i in n],
                                               pa.duration(unit))
    return pa.table(columns)


def put(location: str, name: str, table: pa.Table) -> None:
    client = flight.connect(location)
    try:
        writer, _ = client.do_put(flight.FlightDescriptor.for_path(name), table.schema)
        for batch in table.to_batches():
            writer.write_batch(batch)
        writer.close()
    finally:
        client.close()


def get(location: str, name: str) -> pa.Table:
    client = flight.connect(location)
    try:
        return client.do_get(flight.Ticket(name.encode())).read_all()
    finally:
        client.close()


@pytest.mark.parametrize("column", all_types().column_names)
def test_each_type_round_trips(server, column):
    location, data_dir = server
    sent = all_types().select([column])
    name = f"{column}.parquet"
    put(location, name, sent)

    got = get(location, name)

    assert got.schema == sent.schema
    assert got.equals(sent)
    client = flight.connect(location)
    try:
        assert client.get_flight_info(flight.FlightDescriptor.for_path(name)).schema == sent.schema
    finally:
        client.close()
    # pyarrow reading the stored file itself finds the same values. The types are those pyarrow
    # gives its own files (Parquet has no seconds unit and no date64, and pyarrow does not cast those
    # back), except a fixed-size list, which the footer's ARROW:schema names a list so that Arrow
    # C++ 18 can read its nulls (decisions D37).
    stored = pq.read_table(data_dir / name).column(column)
    if column == "fixed_size_list":
        # pyarrow 22 cannot write this column to Parquet itself (nulls in a fixed-size list).
        assert stored.type == pa.list_(pa.int32())
        assert stored.to_pylist() == sent.column(column).to_pylist()
    else:
        own = pq.read_table(pa.BufferReader(_parquet_bytes(sent))).column(column)
        assert stored.type == own.type
        assert stored.cast(sent.schema.field(column).type).equals(sent.column(column))


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_a_dictionary_of_integers_reads_back_as_its_values(server):
    # Arrow C++ 18 reads only string and binary Parquet columns as dictionaries, and Flight Java
    # cannot replace a dictionary mid-stream, so the server sends the values (decisions D38).
    location, _ = server
    sent = pa.table({"codes": pa.array([10, 20, None, 10]).dictionary_encode()})
    put(location, "codes.parquet", sent)

    got = get(location, "codes.parquet")

    assert got.schema.field("codes").type == pa.int64()
    assert got.column("codes").to_pylist() == [10, 20, None, 10]


def test_a_zero_row_upload_is_an_empty_dataset_with_its_schema(server):
    location, _ = server
    sent = all_types().slice(0, 0)
    put(location, "empty.parquet", sent)

    got = get(location, "empty.parquet")

    assert got.num_rows == 0
    assert got.schema == sent.schema
    assert got.equals(sent)


def test_a_file_pyarrow_wrote_is_served_with_its_stored_types(server):
    location, data_dir = server
    table = pa.table({
        "sv": pa.array(["a", None, "a value longer than twelve bytes"], pa.string_view()),
        "color": pa.array(["red", "green", "red"]).dictionary_encode(),
        "ls": pa.array(["x", "y", None], pa.large_string()),
        "nested": pa.array([{"v": "a"}, None, {"v": "c"}], pa.struct([("v", pa.string_view())])),
    })
    pq.write_table(table, data_dir / ".pyarrow.tmp")
    os.rename(data_dir / ".pyarrow.tmp", data_dir / "pyarrow.parquet")

    deadline = time.monotonic() + 60
    while True:
        client = flight.connect(location)
        try:
            names = [info.descriptor.path[0].decode() for info in client.list_flights()]
        finally:
            client.close()
        if "pyarrow.parquet" in names:
            break
        assert time.monotonic() < deadline, f"pyarrow.parquet never listed: {names}"
        time.sleep(0.2)

    got = get(location, "pyarrow.parquet")

    # Every top-level type as pyarrow stored it; a view type nested in a struct arrives as the
    # string Arrow C++ 18 reads, since casting to it there would crash the JNI bridge (decisions D37).
    expected = table.schema.set(3, pa.field("nested", pa.struct([("v", pa.string())])))
    assert got.schema == expected
    assert got.equals(table.cast(expected))
