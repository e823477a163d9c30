"""Writes bench/results/RESULTS.md and bench/results/throughput.png from a finished harness."""

from __future__ import annotations

import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402
import pyarrow  # noqa: E402

import issue15  # noqa: E402
import jdbc_latency  # noqa: E402
import pushdown_bench  # noqa: E402

# Each Flight row is divided by these servers' median with the same client and streams.
REFERENCES = {
    "library limit": "java-memory",
    "pyarrow peer": "pyarrow-parquet",
}

# Sections a run may not have measured, with what they would show.
NOT_MEASURED: dict[str, str] = {}



def _median_min_max(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def _machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
            memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    distro = ""
    try:
        distro = re.search(r'PRETTY_NAME="([^"]*)"',
                           Path("/etc/os-release").read_text(encoding="utf-8")).group(1)
    except (OSError, AttributeError):
        pass
    return [
        ("nproc", str(len(os.sched_getaffinity(0)))),
        ("memory", memory),
        ("CPU", cpu),
        ("kernel", platform.release()),
        ("OS", distro or platform.platform()),
    ]


def _tool_version(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=30, text=True)
        return result.stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unavailable"


def _jar_version(classpath: str, artifact: str) -> str:
    for entry in classpath.split(os.pathsep):
        for jar in glob.glob(entry) if "*" in entry else [entry]:
            match = re.fullmatch(re.escape(artifact) + r"-(\d[\w.\-]*)\.jar", Path(jar).name)
            if match:
                return match.group(1)
    return "unknown"


def _versions(harness) -> list[tuple[str, str]]:
    java = _tool_version([harness.java, "-version"])
    return [
        ("JDK", f"{java} ({harness.java})"),
        ("Arrow Java (flight-core)", _jar_version(harness.classpath, "flight-core")),
        ("grpc-java", _jar_version(harness.classpath, "grpc-core")),
        ("pyarrow", pyarrow.__version__),
        ("Python", platform.python_version()),
        ("numpy / matplotlib", f"{numpy.__version__} / {matplotlib.__version__}"),
        ("iperf3", _tool_version(["iperf3", "--version"])),
        ("cluster's native allocator", _allocator()),
    ]


def _allocator() -> str:
    """What the launcher picks for Arrow C++'s memory (FLIGHT_NATIVE_ALLOCATOR, decisions D93)."""
    chosen = os.environ.get("FLIGHT_NATIVE_ALLOCATOR") or "auto"
    if chosen != "auto":
        return chosen
    # The folders the launcher's find_jemalloc looks in, in its order.
    found = [path for pattern in ("/usr/lib/*-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
             for path in glob.glob(f"{pattern}/libjemalloc.so.2")]
    return "auto: jemalloc (libjemalloc.so.2 installed)" if found else "auto: glibc (no jemalloc)"


def _reference(harness, measurement, server: str) -> float | None:
    for other in harness.measurements:
        if (other.bench, other.server, other.client, other.streams) == \
                (measurement.bench, server, measurement.client, measurement.streams):
            return statistics.median(other.mbps())
    return None


def _loopback(harness, measurement) -> float | None:
    for other in harness.measurements:
        if other.server == "loopback-tcp" and other.streams == measurement.streams:
            return statistics.median(other.mbps())
    return None


def _ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}x" if reference else "-"


def _table(harness, bench: str) -> list[str]:
    rows = [m for m in harness.measurements if m.bench == bench]
    header = ("| configuration | streams | runs (warm-up) | MB/s median | MB/s min | MB/s max "
              "| Mrows/s median | vs library limit | vs pyarrow peer | vs loopback TCP | other load |")
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in rows:
        median, low, high = _median_min_max(m.mbps())
        row_rates = m.rows_per_s()
        mrows = f"{statistics.median(row_rates) / 1e6:,.2f}" if row_rates else "-"
        flight = m.server not in ("loopback-tcp", "local-parquet")
        lines.append(
            f"| {m.server} <- {m.client} | {m.streams} | {len(m.runs)} ({m.warmups}) | {median:,.0f} "
            f"| {low:,.0f} | {high:,.0f} | {mrows} "
            f"| {_ratio(median, _reference(harness, m, REFERENCES['library limit'])) if flight else '-'} "
            f"| {_ratio(median, _reference(harness, m, REFERENCES['pyarrow peer'])) if flight else '-'} "
            f"| {_ratio(median, _loopback(harness, m))} | {m.other_load:.0%} |")
    return lines


def _chart(harness, path: Path) -> None:
    # B1 then B2, in the order measured within each.
    measurements = sorted(harness.measurements, key=lambda m: m.bench)
    labels = [m.label for m in measurements]
    medians, lows, highs = zip(*(_median_min_max(m.mbps()) for m in measurements))
    palette = {"java-memory": "#1f77b4", "pyarrow-parquet": "#ff7f0e", "loopback-tcp": "#7f7f7f",
               "local-parquet": "#2ca02c", "cluster": "#d62728"}
    colors = [palette.get(m.server, "#9467bd") for m in measurements]
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(labels) + 1.6))
    y = range(len(labels))
    ax.barh(y, medians, color=colors,
            xerr=[[m - lo for m, lo in zip(medians, lows)], [h - m for m, h in zip(medians, highs)]],
            capsize=3)
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("throughput, MB/s of Arrow data (median; bars: min-max); "
                  "loopback TCP: MB/s of payload")
    ax.set_title(f"arrow-flight-cluster bench ({harness.mode.name}: {harness.meta['rows']:,} rows,"
                 f" {len(measurements[0].runs)} runs each)", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    for i, (value, high) in enumerate(zip(medians, highs)):
        ax.text(high, i, f"  {value:,.0f}", va="center", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _median_of(harness, bench, server, client, streams):
    for m in harness.measurements:
        if (m.bench, m.server, m.client, m.streams) == (bench, server, client, streams):
            return statistics.median(m.mbps()), m.other_load
    return None, None


def _cluster_sections(harness) -> list[str]:
    if not harness.latency and not harness.memory:
        return []
    out = ["## Cluster vs targets", "",
           "**cluster-traced** = the cluster's data server (`flight-cluster server`, "
           f"JAVA_OPTS `{harness.cluster_java_opts}`) exporting every span over OTLP/HTTP to a local "
           "sink (`bench/py/otlp_sink.py`, OTEL_BSP defaults); **cluster-untraced** = the same "
           "with `OTEL_SDK_DISABLED=true`; **cluster-traced-nocollector** = tracing on, the "
           "exporter's endpoint a closed port. The bench clients themselves are not traced.", "",
           "| client | streams | traced MB/s | untraced MB/s | traced vs pyarrow peer (target >= 1.0x) "
           "| traced vs library limit (target >= 0.9x) | tracing cost (target <= 2 %) | other load (traced / untraced) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for client in ("java", "python"):
        for streams in harness.mode.streams:
            on, load_on = _median_of(harness, "B1", "cluster-traced", client, streams)
            off, load_off = _median_of(harness, "B1", "cluster-untraced", client, streams)
            peer, _ = _median_of(harness, "B1", "pyarrow-parquet", client, streams)
            limit, _ = _median_of(harness, "B1", "java-memory", client, streams)
            if on is None or off is None:
                continue
            out.append(f"| {client} | {streams} | {on:,.0f} | {off:,.0f} | {_ratio(on, peer)} "
                       f"| {_ratio(on, limit)} | {(off - on) / off:+.1%} "
                       f"| {load_on:.0%} / {load_off:.0%} |")
    down, load_down = _median_of(harness, "B1", "cluster-traced-nocollector", "java", 1)
    off, _ = _median_of(harness, "B1", "cluster-untraced", "java", 1)
    if down is not None and off:
        out += ["", f"Collector down (java x1): {down:,.0f} MB/s vs untraced {off:,.0f} MB/s, "
                f"cost {(off - down) / off:+.1%} (other load {load_down:.0%})."]
    out += ["", "## B5 tracing cost per RPC", "",
            "GetFlightInfo on the data server, one pyarrow client, sequential calls "
            "(`bench/py/rpc_latency.py`); the client is the same for every row, so the "
            "difference of the p50s is the server's tracing cost (target <= 50 us).", "",
            "| server | calls | p50 us | p90 us | p99 us | p50 vs untraced | other load |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    base = harness.latency.get("cluster-untraced", {}).get("p50_us")
    for name, r in harness.latency.items():
        delta = f"{r['p50_us'] - base:+,.0f} us" if base is not None else "-"
        out.append(f"| {name} | {r['calls']:,} | {r['p50_us']:,.0f} | {r['p90_us']:,.0f} "
                   f"| {r['p99_us']:,.0f} | {delta} | {r['other_load']:.0%} |")
    memory_meta = getattr(harness, "memory_meta", harness.meta)
    out += ["", "## B4 cluster server memory", "",
            f"A fresh traced data server ({harness.cluster_java_opts}) streaming the "
            f"{memory_meta['rows']:,}-row dataset "
            f"({memory_meta['arrow_bytes'] / 1e6:,.0f} MB of Arrow data, same generator); VmHWM reset "
            "(`/proc/<pid>/clear_refs` 5) before each scenario; native memory from "
            "`jcmd VM.native_memory summary` right after (committed now / peak). Arrow's buffers "
            "are allocated outside NMT's Java heap category (Other / Unsafe) and arrow-dataset's "
            "C++ pool is outside NMT altogether: RSS is the figure that counts. Target < 512 MiB. "
            "The server runs with its default scan memory budget (`--scan-memory` 1 GiB), so the 8 "
            "clients queue for it (`FLIGHT_SCAN_QUEUE_TIMEOUT=600s`) instead of scanning at once. "
            "arrow-dataset's Parquet reader keeps every column chunk it has read until its file ends "
            "(apache/arrow#39808, D13), so the server scans a large file in pieces of at most 64 MiB "
            "of column chunks (D89): a scan holds about one piece plus decoded batches, not the "
            f"Parquet file's {memory_meta.get('parquet_bytes', 0) / 1e6:,.0f} MB.",
            "", "| scenario | seconds | VmHWM | VmRSS after | NMT total committed | NMT Other committed (peak) | target | other load |",
            "|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in harness.memory:
        nmt = r["nmt"]
        total = f"{nmt['Total'][0] / 2**20:,.0f} MiB" if "Total" in nmt else "-"
        other = "-"
        if "Other" in nmt:
            c, p = nmt["Other"]
            other = f"{c / 2**20:,.0f} MiB" + (f" ({p / 2**20:,.0f})" if p else "")
        hwm = r["hwm"] / 2**20
        verdict = "met" if hwm < 512 else f"missed by {hwm - 512:,.0f} MiB"
        out.append(f"| {r['scenario']} | {r['seconds']:.1f} | {hwm:,.0f} MiB | "
                   f"{r['rss'] / 2**20:,.0f} MiB | {total} | {other} | {verdict} | "
                   f"{r['other_load']:.0%} |")
    out.append("")
    return out


def _p50_p99(latency: dict) -> str:
    return f"{latency['p50']:,.0f} / {latency['p99']:,.0f}"


def _coordinator_section(harness) -> list[str]:
    b3 = getattr(harness, "coordinator", None)
    if not b3:
        return []
    target_rate = 1000
    out = ["## B3 coordinator latency", "",
           "The coordinator in process (`dev.flightcluster.bench.coordinator.CoordinatorBench`, traced "
           "with the SDK) with S simulated data servers that speak only the registration protocol, "
           "holding D datasets between them. GetFlightInfo: closed loop with 1 thread, then open loop "
           f"at fixed rates; *held* = the largest rate whose p99 stayed under "
           f"{b3['options']['held_p99_ms']:g} ms. Targets at D = 10,000: GetFlightInfo p99 <= 2 ms at "
           f"{target_rate:,} req/s, ListFlights <= 100 ms. Latencies in microseconds.", "",
           "| S | D | GetFlightInfo p50 / p99 (1 thread) | p99 at 1,000 req/s | most req/s held "
           "| ListFlights p50 / p99 | other cores |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for c in b3["configs"]:
        gfi = c.get("get_flight_info", {})
        closed = next((r for r in gfi.get("closed_loop", []) if r["threads"] == 1), None)
        at_target = [r for r in gfi.get("open_loop", []) if r["rate_rps"] == target_rate]
        held = gfi.get("max_rate_held_rps")
        lf = c.get("list_flights", {}).get("latency_us")
        cells = [f"{c['servers']}", f"{c['datasets']:,}",
                 _p50_p99(closed["latency_us"]) if closed else "-",
                 f"{at_target[-1]['latency_us']['p99']:,.0f}" if at_target else "-",
                 f"{held:,.0f}" if held else "none",
                 _p50_p99(lf) if lf else "-",
                 f"{c.get('load', {}).get('other_cores', 0):.2f}"]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "ListFlights sends one gRPC message per dataset; at 10,000 datasets its time is "
            "Flight Java's per-message hand-offs, not the coordinator (docs/decisions.md D14).", ""]
    return out


def sharded_read_section(b6: dict | None) -> list[str]:
    """B6: a dataset over 2 servers read in parallel against the same dataset on 1 server."""
    if not b6:
        return []
    out = ["## B6 one dataset over several servers", "",
           "`dev.flightcluster.bench.shards.ShardedReadBench`: a real coordinator and two real data servers in one "
           f"process, {b6['files']} files of {b6['rows'] // b6['files']:,} rows ({b6['rows']:,} rows). **1 server**: "
           "every file on one server, one endpoint, one stream. **2 servers, parallel**: half the files on each, two "
           "endpoints read at once (docs/decisions.md D59, D60). **first closed mid-read**: the split dataset with "
           "the first half replicated on both servers; the first stream's server closes after a third of the rows "
           "and the read resumes at the other one (D61). Client and servers share this machine's "
           f"{b6['cores']} cores, so the ratio is a lower bound of what two machines give.", "",
           "| configuration | endpoints | runs | seconds median | min | max | MB/s of Parquet |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for c in b6["configs"]:
        runs = c["seconds"]
        out.append(f"| {c['name']} | {c['endpoints']} | {len(runs)} | {c['median_seconds']:.2f} | "
                   f"{min(runs):.2f} | {max(runs):.2f} | {c['mb_per_second']:,.0f} |")
    cost = b6["resume_cost_seconds"]
    out += ["", f"2 servers in parallel over 1 server: **{b6['parallel_over_single_ratio']:.2f}x**. "
            f"Time a read loses to its server closing mid-stream: "
            f"{f'{cost:.2f} s' if isinstance(cost, (int, float)) else cost}.", ""]
    return out


def write(harness, started: datetime.datetime, elapsed: float) -> None:
    results = harness.results
    chart = results / "throughput.png"
    if harness.measurements:
        _chart(harness, chart)
    meta = harness.meta
    out: list[str] = [
        "# Benchmark results",
        "",
        f"Generated by `bench/run.sh{' --quick' if harness.mode.name == 'quick' else ''}` on "
        f"{started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} min; mode **{harness.mode.name}**"
        + (" (small data for CI: these numbers say the harness works, not how fast anything is)"
           if harness.mode.name == "quick" else "") + ".",
        f"Method, units and caveats: [bench/NOTES.md]"
        f"({os.path.relpath(Path(__file__).resolve().parent.parent / 'NOTES.md', results)}). "
        "MB = 10^6 bytes. Every figure "
        f"is the median of {harness.mode.runs} measured runs, with their min and max, after "
        f"unreported warm-up runs (at least {harness.mode.warmup}, and at least "
        f"{harness.mode.warmup_seconds:.0f} s of them: the JIT needs seconds, not runs); ratios "
        "divide medians measured in this same run.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in _machine()],
        "",
        "## Versions",
        "",
        *[f"- {k}: {v}" for k, v in _versions(harness)],
        "",
        "## Dataset",
        "",
        f"- {meta['rows']:,} rows in {meta['batches']} batches of {meta['batch_rows']:,} rows; "
        f"{meta['arrow_bytes']:,} Arrow bytes ({meta['arrow_bytes'] / meta['rows']:.1f} a row)",
        f"- Parquet (snappy, row groups of {16 * meta['batch_rows']:,} rows): "
        f"{meta['parquet_bytes']:,} bytes; Arrow IPC file (same batches, one dictionary): "
        f"{meta['ipc_bytes']:,} bytes",
        "- schema: " + "; ".join(meta["schema"].splitlines()),
        f"- generated by `bench/py/gen_data.py` (seed {meta['seed']}), cached under "
        f"`{Path(harness.args.cache_dir).name}/bench-data-v{meta['generator_version']}/`",
        "",
        "**other load** is the share of this machine's cores that processes the bench did not "
        "start used while a configuration was measured (`procs.CpuAccount`, from /proc/stat). "
        "The machine may be shared with builds and tests: a row measured under more than about "
        "10 % other load is slowed by it and not comparable with a quiet run. "
        f"Before each configuration the harness waited for other load under "
        f"{harness.quiet_load:.0%} within a budget of {harness.mode.quiet_budget:.0f} s "
        f"({harness.waited:.0f} s waited in this run).",
        "",
        "## B1 DoGet throughput",
        "",
        "Servers: **java-memory** = the library limit, Arrow Flight Java streaming preloaded "
        "batches (`MemoryFlightServer`); **pyarrow-parquet** = the peer, pyarrow's Flight server "
        "reading the Parquet file batch by batch; **loopback-tcp** = iperf3 on 127.0.0.1; "
        "**local-parquet** = pyarrow reading the file in process, no network. Clients: **java** = "
        "`DoGetBench`, **python** = `bench/py/doget_client.py`. With N streams, N clients read "
        "the whole dataset at once and the figure is their total over the wall time.",
        "",
        *_table(harness, "B1"),
        "",
        "## B2 DoPut throughput",
        "",
        "**java-memory** drains and discards (the library limit); **pyarrow-parquet** writes "
        f"each stream to a Parquet file (on {'tmpfs' if str(harness.put_dir).startswith('/dev/shm') else 'disk'}"
        "), timed until the server acknowledged the end of the stream.",
        "",
        *_table(harness, "B2"),
        "",
        "## Server memory",
        "",
        "Peak resident set (VmHWM) of each server over everything it served in this run.",
        "",
        "| server | VmHWM |",
        "|---|---:|",
        *[f"| {s.name} | {s.peak.get('VmHWM', 0) / 2**20:,.0f} MiB |" for s in harness.servers
          if s.peak],
        "",
    ]
    out += _cluster_sections(harness)
    out += issue15.section(harness)
    if harness.skipped:
        out += ["## Not measured in this run", "", *[f"- {s}" for s in harness.skipped], ""]
    out += _coordinator_section(harness)
    b6_file = results / "B6-sharded-read.json"
    out += sharded_read_section(json.loads(b6_file.read_text(encoding="utf-8")) if b6_file.is_file() else None)
    out += pushdown_bench.section(results)
    out += jdbc_latency.section(results)
    for title, plan in NOT_MEASURED.items():
        out += [f"## {title}", "", "**Not measured yet.** " + plan, ""]
    out += [
        "## Chart",
        "",
        "![throughput per configuration](throughput.png)",
        "",
        "## Commands",
        "",
        "As run (ports are ephemeral: each server bound port 0 or a free port).",
        "",
        "```sh",
    ]
    for what, command in harness.commands:
        out += [f"# {what}", command]
    out += ["```", ""]
    (results / "RESULTS.md").write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {results / 'RESULTS.md'} and {chart}", flush=True)
