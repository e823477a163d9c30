"""B10: what a selective query saves against a full read (pushdown, docs/decisions.md D81).

A coordinator and one data server of the built distribution serve the bench dataset. Two reads
of it are timed, alternately, several times each:

- **full**: every row and column (the PATH descriptor);
- **selective**: `id < rows / 100` (about 1 % of the rows) and two columns (`id`, `value`),
  through the JSON CMD descriptor, so the data server filters and projects in its scan.

Through two clients: the Java client (`flight-cluster client get`, a fresh JVM a run, whose own
"in T s" is the read alone, GetFlightInfo included) and pyarrow (GetFlightInfo then DoGet of each
endpoint, in this process), after one unreported read of each kind. Bytes are the Arrow bytes received; ratios divide
medians of this same run. Writes B10-pushdown.json into the results directory; report.py turns it
into the "B10 selective query" section.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight

import flightbench
from procs import run_client

OUTPUT = "B10-pushdown.json"
_JAVA_GOT = re.compile(r"got \S+: ([\d,]+) rows, [\d,]+ batches, ([\d,]+) bytes in ([\d.]+) s")


def queries(rows: int) -> dict[str, dict]:
    """The two reads: the CMD body of each (None: the PATH descriptor, every row and column)."""
    return {"full": None,
            "selective": {"columns": ["id", "value"], "filter": f"id < {max(1, rows // 100)}"}}


def _java_read(harness, coordinator: str, dataset: str, query: dict | None, log: Path) -> dict:
    argv = [harness.launcher, "client", "--coordinator", coordinator, "get", dataset]
    if query:
        argv += ["--columns", ",".join(query["columns"]), "--where", query["filter"]]
    env = {**os.environ, "OTEL_SDK_DISABLED": "true"}
    output = run_client(argv, log, timeout=harness.client_timeout, env=env).stdout.decode("utf-8", "replace")
    match = _JAVA_GOT.search(output)
    if not match:
        raise RuntimeError(f"unexpected output of {' '.join(map(str, argv))}: {output[-500:]}")
    return {"rows": int(match.group(1).replace(",", "")), "bytes": int(match.group(2).replace(",", "")),
            "seconds": float(match.group(3))}


def _pyarrow_read(coordinator: str, dataset: str, query: dict | None) -> dict:
    descriptor = (flight.FlightDescriptor.for_path(dataset) if query is None
                  else flight.FlightDescriptor.for_command(json.dumps({"dataset": dataset, **query}).encode()))
    started = time.perf_counter()
    client = flight.connect(coordinator)
    rows = 0
    arrow_bytes = 0
    try:
        info = client.get_flight_info(descriptor)
        for endpoint in info.endpoints:
            server = flight.connect(endpoint.locations[0])
            try:
                reader = server.do_get(endpoint.ticket)
                while True:
                    try:
                        chunk = reader.read_chunk()
                    except StopIteration:
                        break
                    if chunk.data is not None:
                        rows += chunk.data.num_rows
                        arrow_bytes += flightbench.arrow_bytes(chunk.data)
            finally:
                server.close()
    finally:
        client.close()
    return {"rows": rows, "bytes": arrow_bytes, "seconds": time.perf_counter() - started}


def _summary(runs: list[dict]) -> dict:
    return {"runs": runs, "rows": runs[0]["rows"], "bytes": statistics.median(r["bytes"] for r in runs),
            "median_seconds": statistics.median(r["seconds"] for r in runs)}


def measure(harness) -> None:
    """Runs B10 with the harness's dataset, distribution and run count; writes OUTPUT."""
    print("B10 selective query (pushdown) ...", flush=True)
    rows = harness.meta["rows"]
    dataset = "bench.parquet"
    env = {**os.environ, "OTEL_SDK_DISABLED": "true"}
    coordinator = harness._cluster_process("pushdown-coordinator", "coordinator", env)
    server = None
    try:
        server = harness._cluster_process("pushdown-server", "server", env, data_dir=harness.serve_dir,
                                          coordinator=coordinator.location)
        reads = queries(rows)
        # The server has registered once the coordinator plans the dataset.
        deadline = time.monotonic() + 60
        while True:
            try:
                with flight.connect(coordinator.location) as probe:
                    probe.get_flight_info(flight.FlightDescriptor.for_path(dataset))
                break
            except (flight.FlightError, pa.ArrowKeyError):  # pyarrow raises NOT_FOUND as ArrowKeyError
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the coordinator did not list {dataset} within 60 s")
                time.sleep(0.3)
        result: dict = {"rows": rows, "queries": {n: q for n, q in reads.items()}, "clients": {}}
        # Warm-up, not reported: the coordinator's and the server's first filter loads the SQL parser,
        # which no later query pays again; pyarrow's reads below also run in this warmed process.
        for query in reads.values():
            _pyarrow_read(coordinator.location, dataset, query)
        for client in ("java", "pyarrow"):
            measured: dict[str, list[dict]] = {name: [] for name in reads}
            for run in range(harness.mode.runs):
                for name, query in reads.items():  # alternated, so drift hits both alike
                    harness.wait_for_quiet(server)
                    if client == "java":
                        measured[name].append(_java_read(harness, coordinator.location, dataset, query,
                                                         harness.logs / f"B10-java-{name}-{run}.log"))
                    else:
                        measured[name].append(_pyarrow_read(coordinator.location, dataset, query))
            full, selective = _summary(measured["full"]), _summary(measured["selective"])
            if full["rows"] != rows:
                raise RuntimeError(f"B10 {client}: the full read got {full['rows']} rows, not {rows}")
            result["clients"][client] = {
                "full": full, "selective": selective,
                "bytes_ratio": selective["bytes"] / full["bytes"],
                "time_ratio": selective["median_seconds"] / full["median_seconds"]}
            print(f"    {client}: selective/full bytes {selective['bytes'] / full['bytes']:.4f}, "
                  f"time {selective['median_seconds'] / full['median_seconds']:.3f} "
                  f"({selective['rows']:,} of {rows:,} rows)", flush=True)
        (harness.results / OUTPUT).write_text(json.dumps(result, indent=2), encoding="utf-8")
    finally:
        if server is not None:
            server.stop()
        coordinator.stop()


def section(results_dir: Path) -> list[str]:
    """The RESULTS.md section of B10; empty when B10 did not run."""
    path = Path(results_dir) / OUTPUT
    if not path.is_file():
        return []
    b7 = json.loads(path.read_text(encoding="utf-8"))
    selective = b7["queries"]["selective"]
    out = ["## B10 selective query (pushdown)", "",
           f"One coordinator and one data server of the distribution serve the bench dataset ({b7['rows']:,} "
           "rows). **full** reads every row and column; **selective** asks, through the JSON CMD descriptor, for "
           f"columns {', '.join(selective['columns'])} where `{selective['filter']}` (about 1 % of the rows), so "
           "the data server filters and projects in its native scan (docs/decisions.md D81). **java** = "
           "`flight-cluster client get` (a fresh JVM a run; its own time of the read, GetFlightInfo included), "
           "**pyarrow** = GetFlightInfo and DoGet in the harness's process. One unreported read of each kind warms "
           "the coordinator and the server first. Bytes are the Arrow bytes the client received.", "",
           "| client | read | rows | Arrow bytes | seconds median | min | max |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for client, c in b7["clients"].items():
        for name in ("full", "selective"):
            r = c[name]
            seconds = [run["seconds"] for run in r["runs"]]
            out.append(f"| {client} | {name} | {r['rows']:,} | {r['bytes']:,.0f} | {r['median_seconds']:.3f} | "
                       f"{min(seconds):.3f} | {max(seconds):.3f} |")
    out.append("")
    for client, c in b7["clients"].items():
        out.append(f"- {client}: the selective query moved **{c['bytes_ratio']:.2%}** of the full read's bytes "
                   f"in **{c['time_ratio']:.1%}** of its time ({1 / c['time_ratio']:.1f}x faster).")
    out.append("")
    return out
