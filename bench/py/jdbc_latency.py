"""JDBC query latency for a small result, through the real Arrow Flight SQL JDBC driver
(`dev.flightcluster.bench.sql.JdbcLatencyBench`, a coordinator and two data servers in one JVM)."""

from __future__ import annotations

import json
from pathlib import Path

from procs import run_client

OUTPUT = "jdbc-latency.json"


def measure(harness) -> None:
    """Runs the bench (quick mode: fewer runs) and leaves its JSON in the results directory."""
    if harness.args.no_cluster:
        return
    print("JDBC query latency ...", flush=True)
    output = harness.results / OUTPUT
    args = ["--output", output]
    if harness.mode.name != "full":
        args += ["--runs", 30, "--warmup", 10]
    argv = harness._java("sql.JdbcLatencyBench", *args, heap="1g")
    harness._note_command("JDBC latency", argv)
    harness.wait_for_quiet(None)
    run_client(argv, harness.logs / "jdbc-latency.log", timeout=600)
    for query in json.loads(output.read_text(encoding="utf-8"))["queries"]:
        print(f"    {query['query']}: median {query['median_ms']:.1f} ms", flush=True)


def section(results: Path) -> list[str]:
    """The RESULTS.md section, when the bench ran."""
    path = results / OUTPUT
    if not path.is_file():
        return []
    result = json.loads(path.read_text(encoding="utf-8"))
    out = ["## B11 JDBC query latency (Flight SQL)", "",
           f"`dev.flightcluster.bench.sql.JdbcLatencyBench`: {result['driver']} on an open connection to a real "
           f"coordinator with {result['data_servers']} real data servers in one process (docs/decisions.md D83). One run "
           "is what a JDBC program pays per query: prepare (CreatePreparedStatement), execute (GetFlightInfo, DoGet "
           "at each data server), read every row, close. COUNT(*) is answered by the coordinator from its catalog.",
           "", "| query | rows | runs | median ms | p90 ms |", "|---|---:|---:|---:|---:|"]
    for q in result["queries"]:
        out.append(f"| `{q['query']}` | {q['rows_per_run']} | {q['runs']} | {q['median_ms']:.1f} | {q['p90_ms']:.1f} |")
    return out + [""]
