"""`flight-cluster client get --output FILE`, read back by pyarrow.

A pyarrow Flight server stands in for the cluster (it answers GetFlightInfo like the coordinator and
DoGet like a data server), so what is checked is the CLI's writing alone: the CSV read back by
pyarrow's CSV reader equals the table served, and every output format gets the user's umask.

Needs the distribution: ./mvnw -pl cli -am package -DskipTests (e2e/jaeger/run-suite.sh builds it).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import stat
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[3]
DISTRIBUTION = REPO / "cli/target/flight-cluster/bin/flight-cluster"

pytestmark = pytest.mark.skipif(
    not DISTRIBUTION.exists(), reason="build the distribution first: ./mvnw -pl cli -am package -DskipTests")

# How pyarrow reads the CLI's CSV back exactly (README, docs/decisions.md D40): strings are always
# quoted, so an unquoted empty field (or the word NULL, alone on its line) is null and "" is the empty
# string; quoted values may hold newlines.
PARSE = pacsv.ParseOptions(newlines_in_values=True)


def convert(schema: pa.Schema) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(column_types=schema, null_values=["", "NULL"], strings_can_be_null=True,
                                quoted_strings_can_be_null=False)


class StandIn(flight.FlightServerBase):
    """Coordinator and data server in one: GetFlightInfo points DoGet back at itself."""

    def __init__(self, tables: dict[str, pa.Table]):
        super().__init__("grpc://127.0.0.1:0")
        self.tables = tables
        self.location = f"grpc://127.0.0.1:{self.port}"

    def get_flight_info(self, context, descriptor):
        name = descriptor.path[0].decode("utf-8")
        table = self.tables[name]
        endpoint = flight.FlightEndpoint(name.encode("utf-8"), [self.location])
        return flight.FlightInfo(table.schema, descriptor, [endpoint], table.num_rows, -1)

    def do_get(self, context, ticket):
        table = self.tables[ticket.ticket.decode("utf-8")]
        # Several batches, so rows of more than one batch reach the file.
        return flight.RecordBatchStream(pa.Table.from_batches(table.to_batches(max_chunksize=2)))


def get(server: StandIn, name: str, output: Path, umask: int | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FLIGHT_"))}
    env.update(OTEL_SDK_DISABLED="true", FLIGHT_COORDINATOR=server.location)
    result = subprocess.run(
        [str(DISTRIBUTION), "client", "get", name, "--output", str(output)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)))
    assert result.returncode == 0, result.stdout + result.stderr


NY = "America/New_York"
TABLE = pa.table({
    "id": pa.array([1, None, 3, 4, 5, 6, 7], pa.int64()),
    "name": pa.array(["plain", None, "", 'say "hi"', "a,b", "two\nlines\r\nand three", "NULL"], pa.string()),
    "day": pa.array([dt.date(2024, 1, 31), None, dt.date(1969, 12, 31), dt.date(2000, 2, 29),
                     dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 7, 4)], pa.date32()),
    "at": pa.array([dt.datetime(2024, 1, 31, 9, 30, 0, 5000), None, dt.datetime(1969, 12, 31, 23, 59, 59),
                    dt.datetime(2024, 7, 4, 12, 0), dt.datetime(2024, 3, 10, 7, 30), dt.datetime(2024, 11, 3, 6, 30),
                    dt.datetime(2000, 1, 1)], pa.timestamp("us", tz=NY)),
    "local": pa.array([dt.datetime(2024, 1, 31, 9, 30, 0, 5000), None, None, None, None, None,
                       dt.datetime(1900, 1, 1, 0, 0, 1)], pa.timestamp("ms")),
    "amount": pa.array([1.5, None, -0.0, 1e-300, 3.141592653589793, 1e21, 0.1], pa.float64()),
    "price": pa.array([decimal.Decimal("12.30"), None, decimal.Decimal("-0.01"), decimal.Decimal("0.00"),
                       decimal.Decimal("99999999.99"), decimal.Decimal("1.00"), decimal.Decimal("2.50")],
                      pa.decimal128(10, 2)),
    "flag": pa.array([True, None, False, True, False, True, False], pa.bool_()),
})


@pytest.fixture()
def server():
    s = StandIn({
        "mixed": TABLE,
        "one_int": pa.table({"n": pa.array([1, None, 3], pa.int64())}),
        "one_str": pa.table({"s": pa.array([None, "", "NULL", "x", None], pa.string())}),
        "many_nulls": pa.table({"n": pa.array([None if i % 7 else i for i in range(3000)], pa.int32())}),
        "nested": pa.table({
            "s": pa.array([{"a": None, "b": "x"}, None, {"a": 2, "b": None}],
                          pa.struct([("a", pa.int32()), ("b", pa.string())])),
            "l": pa.array([[1, None], [], None], pa.list_(pa.int32())),
            "m": pa.array([[("k", None)], None, []], pa.map_(pa.string(), pa.int32())),
        }),
    })
    yield s
    s.shutdown()


def test_csv_reads_back_equal_with_nulls_empty_strings_quotes_commas_newlines_and_dates(server, tmp_path):
    out = tmp_path / "mixed.csv"
    get(server, "mixed", out)
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == 1, "lines end in LF; the one CRLF is inside a value"
    assert raw.endswith(b"\n") and not raw.endswith(b"\r\n")
    back = pacsv.read_csv(out, parse_options=PARSE, convert_options=convert(TABLE.schema))
    assert back.schema == TABLE.schema
    assert back.to_pylist() == TABLE.to_pylist()
    assert back.equals(TABLE)


@pytest.mark.parametrize("name", ["one_int", "one_str", "many_nulls"])
def test_a_one_column_file_keeps_every_null_row(server, tmp_path, name):
    out = tmp_path / f"{name}.csv"
    get(server, name, out)
    expected = server.tables[name]
    # Even with pyarrow's defaults, no null row is skipped as an empty line.
    assert pacsv.read_csv(out, parse_options=PARSE).num_rows == expected.num_rows
    back = pacsv.read_csv(out, parse_options=PARSE, convert_options=convert(expected.schema))
    assert back.equals(expected)


def test_nested_values_are_json_with_their_nulls(server, tmp_path):
    out = tmp_path / "nested.csv"
    get(server, "nested", out)
    text = pacsv.read_csv(out, parse_options=PARSE, convert_options=pacsv.ConvertOptions(
        column_types={"s": pa.string(), "l": pa.string(), "m": pa.string()}, null_values=[""],
        strings_can_be_null=True, quoted_strings_can_be_null=False)).to_pydict()
    decode = lambda cells: [None if c is None else json.loads(c) for c in cells]  # noqa: E731
    assert decode(text["s"]) == [{"a": None, "b": "x"}, None, {"a": 2, "b": None}]
    assert decode(text["l"]) == [[1, None], [], None]
    assert decode(text["m"]) == [[{"key": "k", "value": None}], None, []]


def test_every_output_format_gets_the_umasks_mode(server, tmp_path):
    umask = 0o027  # not the usual 022, so the mode cannot be right by chance
    modes = {}
    for suffix in ("csv", "arrow", "parquet"):
        out = tmp_path / f"one_int.{suffix}"
        get(server, "one_int", out, umask=umask)
        modes[suffix] = stat.S_IMODE(out.stat().st_mode)
    assert modes == dict.fromkeys(modes, 0o666 & ~umask)
    assert pq.read_table(tmp_path / "one_int.parquet").num_rows == 3
