"""The benchmark harness behind bench/run.sh: data, servers, clients, RESULTS.md and the chart.

It assumes what run.sh prepares (a JDK, the bench classes and their class path, this venv,
iperf3) and is passed their locations. Every server it starts binds 127.0.0.1, is stopped in a
finally block and is registered in run.sh's pid file; every client is bounded in time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

import gen_data
import issue15
import jdbc_latency
import pushdown_bench
from procs import CpuAccount, ManagedProcess, free_port, run_client

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
PYTHON = sys.executable
DATASET = "bench.parquet"
LISTENING = r"LISTENING (grpc://\S+)"


@dataclass
class Mode:
    name: str
    rows: int
    runs: int
    warmup: int
    iperf_seconds: int
    # Clients keep warming up until this long was spent (the JIT needs seconds, not runs).
    warmup_seconds: float = 0.0
    # Total seconds the run may spend waiting for other processes to leave the CPU alone.
    quiet_budget: float = 0.0
    streams: tuple[int, ...] = (1, 4)
    # B4 streams a bigger dataset (~2 GB of Arrow data in full mode) to its slow and 8 clients.
    memory_rows: int = 0


QUICK = Mode("quick", rows=200_000, runs=3, warmup=1, iperf_seconds=1, memory_rows=200_000)
FULL = Mode("full", rows=10_000_000, runs=5, warmup=1, iperf_seconds=3, warmup_seconds=8,
            quiet_budget=30, memory_rows=40_000_000)
# The cluster's data server and coordinator: a bounded heap and direct memory (B4's target is
# < 512 MB RSS), and NMT so that B4 can report the JVM's native memory by category.
# Direct memory 1g: with 256m the data server failed a 10M-row DoPut (OutOfMemoryError: Cannot
# reserve direct buffer memory, gRPC's inbound buffers while it writes Parquet).
CLUSTER_JAVA_OPTS = "-Xmx256m -XX:MaxDirectMemorySize=1g -XX:NativeMemoryTracking=summary"
# Other processes' share of the cores under which a measurement may start without waiting.
QUIET_LOAD = 0.15


@dataclass
class Measurement:
    """One configuration, measured: the runs of one client process against one server."""
    bench: str          # B1 (DoGet), B2 (DoPut)
    server: str         # what answered: java-memory, pyarrow-parquet, iperf3, local, cluster
    client: str         # what measured: java, python, iperf3, pyarrow
    streams: int
    command: str
    runs: list[dict] = field(default_factory=list)
    note: str = ""
    # Share of the machine's cores other processes used meanwhile (procs.CpuAccount).
    other_load: float = 0.0
    warmups: int = 0

    @property
    def label(self) -> str:
        return f"{self.bench} {self.server} <- {self.client} x{self.streams}"

    def mbps(self) -> list[float]:
        return [r["arrow_bytes"] / r["seconds"] / 1e6 for r in self.runs]

    def rows_per_s(self) -> list[float]:
        return [r["rows"] / r["seconds"] for r in self.runs if r.get("rows")]


class Harness:
    def __init__(self, args: argparse.Namespace, mode: Mode):
        self.args = args
        self.mode = mode
        self.results = Path(args.results_dir)
        self.logs = self.results / "logs.tmp"
        self.measurements: list[Measurement] = []
        self.servers: list[ManagedProcess] = []
        self.commands: list[tuple[str, str]] = []
        self.skipped: list[str] = []
        self.java = args.java
        self.java_opts = shlex.split(args.java_opts)
        self.classpath = args.classpath
        self.meta: dict = {}
        self.client_timeout = 900 if mode.name == "full" else 180
        self.quiet_left = mode.quiet_budget
        self.waited = 0.0
        self.quiet_load = QUIET_LOAD
        self.latency: dict[str, dict] = {}
        self.memory: list[dict] = []
        self.coordinator: dict | None = None
        self.cluster_java_opts = CLUSTER_JAVA_OPTS

    # ---------------------------------------------------------------- data

    def prepare_data(self) -> None:
        """Generates the dataset once per (generator version, rows) and caches it."""
        self.serve_dir, self.meta = self._dataset(self.mode.rows)
        self.parquet = Path(self.meta["parquet_file"])
        self.ipc = Path(self.meta["ipc_file"])
        # DoPut targets live on tmpfs when it has room: B2 then measures Flight and Parquet
        # encoding, not this machine's disk, and many runs' output never reaches the disk.
        shm = Path("/dev/shm")
        need = self.meta["parquet_bytes"] * 2 * max(self.mode.streams) \
            * (self.mode.runs + self.mode.warmup)
        root = shm if shm.is_dir() and shutil.disk_usage(shm).free > 2 * need else self.results
        self.put_dir = Path(tempfile.mkdtemp(prefix="bench-put-", dir=root))

    def _dataset(self, rows: int) -> tuple[Path, dict]:
        cache = Path(self.args.cache_dir) / f"bench-data-v{gen_data.GENERATOR_VERSION}" \
            / f"rows-{rows}"
        # serve/ holds the Parquet file alone: it is the data dir the servers list and serve.
        serve_dir = cache / "serve"
        meta_path = cache / "bench.json"
        if not meta_path.is_file():
            shutil.rmtree(cache, ignore_errors=True)
            command = [PYTHON, HERE / "gen_data.py", "--rows", rows,
                       "--out-dir", serve_dir, "--side-dir", cache, "--name", DATASET]
            self._note_command(f"generate the dataset ({rows:,} rows)", command)
            run_client(command, self.logs / f"gen_data-{rows}.log", timeout=3600)
        return serve_dir, json.loads(meta_path.read_text(encoding="utf-8"))

    # ---------------------------------------------------------------- process helpers

    def _java(self, main_class: str, *args, heap: str = "1g", direct: str = "2g") -> list[str]:
        return [self.java, *self.java_opts, f"-Xmx{heap}", f"-XX:MaxDirectMemorySize={direct}",
                "-cp", self.classpath, f"dev.flightcluster.bench.{main_class}", *args]

    def _note_command(self, what: str, argv) -> str:
        command = shlex.join(str(a) for a in argv)
        self.commands.append((what, command))
        return command

    def start_server(self, name: str, argv: list, ready: str = LISTENING) -> ManagedProcess:
        server = ManagedProcess(name, argv, self.logs, ready)
        self._note_command(f"server {name}", server.argv)
        self.servers.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()

    def _run_json_client(self, measurement: Measurement, argv: list, log_name: str,
                         server: ManagedProcess | None = None) -> None:
        output = self.logs / f"{log_name}.json"
        argv = [*argv, "--output", output]
        measurement.command = self._note_command(measurement.label, argv)
        print(f"  {measurement.label} ...", flush=True)
        self.wait_for_quiet(server)
        started = time.monotonic()
        account = CpuAccount([server])
        run_client(argv, self.logs / f"{log_name}.log", timeout=self.client_timeout)
        measurement.other_load = account.other_load()
        report = json.loads(output.read_text(encoding="utf-8"))
        measurement.runs = report["runs"]
        measurement.warmups = report["warmup"]
        self.measurements.append(measurement)
        median = statistics.median(measurement.mbps())
        print(f"    median {median:,.0f} MB/s  ({time.monotonic() - started:.0f} s, other load "
              f"{measurement.other_load:.0%})", flush=True)

    def wait_for_quiet(self, server: ManagedProcess | None) -> None:
        """Waits, within the run's budget, until other processes leave the cores alone.

        The machine may be shared with builds and test suites; a short wait often avoids
        measuring them. The budget bounds the run's length; what load remains is recorded.
        """
        while self.quiet_left > 0:
            account = CpuAccount([server])
            time.sleep(1.0)
            self.quiet_left -= 1.0
            self.waited += 1.0
            load = account.other_load()
            if load < self.quiet_load:
                return
            print(f"    waiting for a quieter machine: other load {load:.0%}", flush=True)

    def _common(self, streams: int) -> list:
        return ["--streams", streams, "--runs", self.mode.runs, "--warmup", self.mode.warmup,
                "--warmup-seconds", self.mode.warmup_seconds,
                "--timeout-seconds", self.client_timeout]

    # ---------------------------------------------------------------- B1 / B2 against a server

    def doget(self, server: str, location: str, ticket: str, check_bytes: bool = True,
              process: ManagedProcess | None = None, clients=("java", "python"),
              streams=None) -> None:
        """B1 with both clients at 1 and N streams. Any location and ticket: the cluster's data
        server is measured by the same call with its location and ticket = dataset name."""
        checks = ["--expect-rows", self.meta["rows"]]
        if check_bytes:
            # Only where the batching is known to match the generator's (bench/NOTES.md).
            checks += ["--expect-bytes", self.meta["arrow_bytes"]]
        for n in streams or self.mode.streams:
            target = ["--location", location, "--ticket", ticket, *checks, *self._common(n)]
            if "java" in clients:
                self._run_json_client(
                    Measurement("B1", server, "java", n, ""),
                    self._java("DoGetBench", *target), f"B1-{server}-java-{n}", process)
            if "python" in clients:
                self._run_json_client(
                    Measurement("B1", server, "python", n, ""),
                    [PYTHON, HERE / "doget_client.py", *target], f"B1-{server}-python-{n}",
                    process)

    def doput(self, server: str, location: str, verify_dir: Path | None,
              process: ManagedProcess | None = None) -> None:
        """B2 with both clients at 1 and N streams; verify_dir holds what a storing server
        wrote, checked and emptied after each configuration."""
        for streams in self.mode.streams:
            for client in ("java", "python"):
                prefix = f"put-{client}-{streams}"
                target = ["--location", location, "--source", self.ipc, "--name-prefix", prefix,
                          *self._common(streams)]
                argv = (self._java("DoPutBench", *target, direct="4g") if client == "java"
                        else [PYTHON, HERE / "doput_client.py", *target])
                measurement = Measurement("B2", server, client, streams, "")
                self._run_json_client(measurement, argv, f"B2-{server}-{client}-{streams}",
                                      process)
                if verify_dir is not None:
                    self._verify_puts(verify_dir, prefix,
                                      streams * (len(measurement.runs) + measurement.warmups))

    def _verify_puts(self, directory: Path, prefix: str, expected: int) -> None:
        files = sorted(directory.glob(f"{prefix}-*.parquet"))
        if len(files) != expected:
            raise RuntimeError(f"expected {expected} files {prefix}-*.parquet, found {len(files)}")
        for path in files:
            rows = pq.read_metadata(path).num_rows
            if rows != self.meta["rows"]:
                raise RuntimeError(f"{path} holds {rows} rows, not {self.meta['rows']}")
        for path in directory.iterdir():
            if path.is_file():  # the cluster server keeps a .flight-staging/ dir there
                path.unlink()

    # ---------------------------------------------------------------- the configurations

    def measure_java_memory(self) -> None:
        """(a) library limit: Arrow Flight Java serving preloaded batches; DoPut drained."""
        print("java-memory server (library limit)", flush=True)
        server = self.start_server(
            "java-memory",
            self._java("MemoryFlightServer", "--data", self.ipc, "--name", DATASET,
                       "--max-seconds", 3 * 3600, direct="4g"))
        try:
            location = server.match.group(1)
            self.doget("java-memory", location, DATASET, process=server)
            self.doput("java-memory", location, verify_dir=None, process=server)
        finally:
            server.stop()

    def measure_pyarrow(self) -> None:
        """(b) the peer: pyarrow's Flight server streaming Parquet; DoPut written to Parquet."""
        print("pyarrow-parquet server (peer)", flush=True)
        server = self.start_server(
            "pyarrow-parquet",
            [PYTHON, HERE / "pyarrow_server.py", "--data-dir", self.serve_dir, "--put-dir",
             self.put_dir, "--batch-rows", self.meta["batch_rows"], "--max-seconds", 3 * 3600])
        try:
            location = server.match.group(1)
            self.doget("pyarrow-parquet", location, DATASET, process=server)
            self.doput("pyarrow-parquet", location, verify_dir=self.put_dir, process=server)
        finally:
            server.stop()

    def measure_iperf3(self) -> None:
        """(c) loopback TCP: the ceiling of any protocol on this machine's loopback."""
        iperf3 = shutil.which("iperf3")
        if iperf3 is None:
            self.skipped.append("iperf3 not installed: loopback TCP not measured")
            return
        print("iperf3 loopback", flush=True)
        server = None
        for _ in range(3):  # free_port() can race with another process: retry a new port
            port = free_port()
            try:
                server = self.start_server(
                    "iperf3", [iperf3, "-s", "-B", "127.0.0.1", "-p", port, "--forceflush"],
                    ready=r"Server listening on (\d+)")
                break
            except RuntimeError as e:
                print(f"  iperf3 did not start on {port}: retrying ({e})", flush=True)
        if server is None:
            raise RuntimeError("iperf3 server did not start")
        try:
            for streams in self.mode.streams:
                measurement = Measurement("B1", "loopback-tcp", "iperf3", streams, "")
                argv = [iperf3, "-c", "127.0.0.1", "-p", port, "-t", self.mode.iperf_seconds,
                        "-P", streams, "-J", "--connect-timeout", 5000]
                measurement.command = self._note_command(
                    measurement.label, argv) + f"   # x{self.mode.warmup + self.mode.runs}"
                print(f"  {measurement.label} ...", flush=True)
                self.wait_for_quiet(server)
                account = CpuAccount([server])
                for i in range(self.mode.warmup + self.mode.runs):
                    result = run_client(argv, self.logs / f"iperf3-{streams}-{i}.json",
                                        timeout=self.mode.iperf_seconds + 60)
                    received = json.loads(result.stdout)["end"]["sum_received"]
                    if i >= self.mode.warmup:
                        # iperf3 counts payload bytes; "rows" do not apply.
                        measurement.runs.append({"seconds": received["seconds"], "rows": 0,
                                                 "arrow_bytes": received["bytes"], "batches": 0})
                measurement.other_load = account.other_load()
                measurement.warmups = self.mode.warmup
                self.measurements.append(measurement)
                print(f"    median {statistics.median(measurement.mbps()):,.0f} MB/s (other load "
                      f"{measurement.other_load:.0%})", flush=True)
        finally:
            server.stop()

    def measure_local_read(self) -> None:
        """(d) pyarrow reading the Parquet file locally, as pyarrow's server does, no network."""
        print("local Parquet read (no network)", flush=True)
        for streams in self.mode.streams:
            self._run_json_client(
                Measurement("B1", "local-parquet", "pyarrow", streams, ""),
                [PYTHON, HERE / "local_read.py", "--path", self.parquet, "--batch-rows",
                 self.meta["batch_rows"], *self._common(streams)],
                f"B1-local-parquet-{streams}")

    def measure_cluster(self) -> None:
        """The cluster's data server (./flight-cluster's built distribution), measured like the
        baselines, with tracing ON (spans exported over OTLP/HTTP to otlp_sink.py, OTEL_BSP
        defaults) and OFF (OTEL_SDK_DISABLED=true); then B2 DoPut, B4 memory, B5 tracing cost."""
        launcher = REPO / "cli" / "target" / "flight-cluster" / "bin" / "flight-cluster"
        if not launcher.is_file():
            raise RuntimeError(f"{launcher} missing: run.sh builds it (mvnw -pl bench,cli -am "
                               "package)")
        self.launcher = launcher
        issue15.prepare(self)
        print("cluster data server", flush=True)
        sink = self.start_server("otlp-sink", [PYTHON, HERE / "otlp_sink.py", "--max-seconds",
                                               3 * 3600], ready=r"LISTENING (http://\S+)")
        endpoint = sink.match.group(1)
        dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: the exporter fails
        traced = self._otel_env(endpoint)
        untraced = {**os.environ, "OTEL_SDK_DISABLED": "true"}
        coordinator = self._cluster_process("cluster-coordinator", "coordinator", untraced)
        try:
            for name, env in (("cluster-traced", traced), ("cluster-untraced", untraced)):
                server = self._cluster_process(name, "server", env, data_dir=self.serve_dir,
                                               coordinator=coordinator.location)
                try:
                    # arrow-dataset's batching is its own: check rows, not bytes.
                    self.doget(name, server.location, DATASET, check_bytes=False, process=server)
                    self.rpc_latency(name, server)
                finally:
                    server.stop()
            # B5 with the collector down: tracing on, the exporter failing.
            server = self._cluster_process("cluster-traced-nocollector", "server",
                                           self._otel_env(dead), data_dir=self.serve_dir,
                                           coordinator=coordinator.location)
            try:
                self.doget("cluster-traced-nocollector", server.location, DATASET,
                           check_bytes=False, process=server, clients=("java",), streams=(1,))
                self.rpc_latency("cluster-traced-nocollector", server)
            finally:
                server.stop()
        finally:
            coordinator.stop()
        # B2: DoPut straight to a data server (PATH descriptor), which writes Parquet, traced.
        server = self._cluster_process("cluster-put", "server", traced, data_dir=self.put_dir)
        try:
            self.doput("cluster-traced", server.location, verify_dir=self.put_dir,
                       process=server)
        finally:
            server.stop()
        self.measure_memory(traced)
        issue15.measure(self, {**os.environ, "OTEL_SDK_DISABLED": "true"})
        sink.stop()

    def measure_coordinator(self) -> None:
        """B3: the coordinator in process with simulated data servers (`CoordinatorBench`):
        GetFlightInfo closed and open loop, ListFlights, for S servers x D datasets."""
        print("B3 coordinator ...", flush=True)
        output = self.logs / "B3.json"
        args = ["--output", output]
        if self.mode.name != "full":  # proves the plumbing: 4 small configurations, ~25 s
            args += ["--servers", "1,10", "--datasets", "1,100", "--rates", "250,1000",
                     "--rate-seconds", 1, "--closed-seconds", 1, "--warmup-seconds", 1,
                     "--list-calls", 3, "--list-seconds", 1, "--quiet-wait-seconds", 1]
        argv = self._java("coordinator.CoordinatorBench", *args, heap="2g")
        self._note_command("B3 coordinator", argv)
        self.wait_for_quiet(None)
        run_client(argv, self.logs / "B3.log", timeout=3600 if self.mode.name == "full" else 600)
        self.coordinator = json.loads(output.read_text(encoding="utf-8"))
        print(f"    {len(self.coordinator['configs'])} configurations in "
              f"{self.coordinator['total_seconds']:,.0f} s", flush=True)

    def measure_sharded_read(self) -> None:
        """B6: one dataset over 2 servers read in parallel against the same dataset on 1 server, and
        the time a read loses when its server goes away mid-stream (`ShardedReadBench`, in process)."""
        print("B6 sharded read ...", flush=True)
        output = self.results / "B6-sharded-read.json"
        args = ["--output", output]
        if self.mode.name != "full":
            args += ["--files", 4, "--rows-per-file", 50_000, "--runs", 2]
        argv = self._java("shards.ShardedReadBench", *args, heap="2g")
        self._note_command("B6 sharded read", argv)
        self.wait_for_quiet(None)
        run_client(argv, self.logs / "B6.log", timeout=3600 if self.mode.name == "full" else 600)
        result = json.loads(output.read_text(encoding="utf-8"))
        print(f"    parallel over single: {result['parallel_over_single_ratio']:.2f}x, "
              f"resume cost: {result['resume_cost_seconds']}", flush=True)

    def _otel_env(self, endpoint: str) -> dict:
        return {**os.environ, "OTEL_SDK_DISABLED": "false", "OTEL_TRACES_EXPORTER": "otlp",
                "OTEL_METRICS_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none",
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{endpoint}/v1/traces"}

    def _cluster_process(self, name: str, role: str, env: dict, data_dir: Path | None = None,
                         coordinator: str | None = None,
                         extra_args: list | None = None) -> ManagedProcess:
        """Starts `flight-cluster coordinator|server` on a free port and waits for SERVING.
        A server gets `extra_args`, by default those that keep a hot cache off (issue15)."""
        for attempt in range(3):  # free_port() may race with another process
            port = free_port()
            location = f"grpc://127.0.0.1:{port}"
            argv = [self.launcher, role, "--host", "127.0.0.1", "--port", port]
            if role == "server":
                argv += ["--data-dir", data_dir, "--coordinator", coordinator or "none",
                         "--advertise", location, "--batch-rows", self.meta["batch_rows"],
                         *(issue15.parquet_args(self) if extra_args is None else extra_args)]
            env = {**env, "JAVA_OPTS": CLUSTER_JAVA_OPTS}
            process = ManagedProcess(name, argv, self.logs, "", env=env)
            self._note_command(f"server {name} (JAVA_OPTS={CLUSTER_JAVA_OPTS})", process.argv)
            self.servers.append(process)
            process.start()
            process.location = location
            try:
                self._wait_healthy(self.launcher, location, process)
                return process
            except RuntimeError:
                process.stop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def rpc_latency(self, name: str, server: ManagedProcess) -> None:
        """B5: GetFlightInfo latency from one pyarrow client (same client for every server)."""
        calls = 3000 if self.mode.name == "full" else 300
        output = self.logs / f"B5-{name}.json"
        argv = [PYTHON, HERE / "rpc_latency.py", "--location", server.location, "--path", DATASET,
                "--calls", calls, "--warmup", calls // 3, "--output", output]
        self._note_command(f"B5 GetFlightInfo latency {name}", argv)
        print(f"  B5 GetFlightInfo latency {name} ...", flush=True)
        self.wait_for_quiet(server)
        account = CpuAccount([server])
        run_client(argv, self.logs / f"B5-{name}.log", timeout=300)
        result = json.loads(output.read_text(encoding="utf-8"))
        result["other_load"] = account.other_load()
        self.latency[name] = result
        print(f"    p50 {result['p50_us']:,.0f} us", flush=True)

    def measure_memory(self, env: dict) -> None:
        """B4: the data server's peak RSS (VmHWM, reset between scenarios through clear_refs)
        and Java native memory (NMT) while a slow client reads, then while 8 clients read."""
        print("B4 cluster server memory", flush=True)
        serve_dir, self.memory_meta = self._dataset(self.mode.memory_rows or self.mode.rows)
        # The 8 clients queue for scan memory (one 1 GB file's scan takes the default 1 GiB budget
        # whole): B4 measures memory, so let them wait instead of timing out.
        server = self._cluster_process("cluster-memory", "server",
                                       {**env, "FLIGHT_SCAN_QUEUE_TIMEOUT": "600s"}, data_dir=serve_dir)
        sleep_ms = 50
        try:
            for scenario, extra in ((f"1 slow client ({sleep_ms} ms sleep a batch)",
                                     ["--streams", 1, "--sleep-ms", sleep_ms]),
                                    ("8 clients at once", ["--streams", 8])):
                self._reset_hwm(server)
                argv = [PYTHON, HERE / "doget_client.py", "--location", server.location,
                        "--ticket", DATASET, "--expect-rows", self.memory_meta["rows"], "--runs", 1,
                        "--warmup", 0, "--timeout-seconds", self.client_timeout, *extra,
                        "--output", self.logs / f"B4-{len(self.memory)}.json"]
                self._note_command(f"B4 {scenario}", argv)
                print(f"  B4 {scenario} ...", flush=True)
                account = CpuAccount([server])
                started = time.monotonic()
                run_client(argv, self.logs / f"B4-{len(self.memory)}.log",
                           timeout=self.client_timeout)
                status = server.status()
                self.memory.append({"scenario": scenario, "hwm": status.get("VmHWM", 0),
                                    "rss": status.get("VmRSS", 0), "nmt": self._nmt(server),
                                    "seconds": time.monotonic() - started,
                                    "other_load": account.other_load()})
                print(f"    VmHWM {status.get('VmHWM', 0) / 2**20:,.0f} MiB", flush=True)
        finally:
            server.stop()

    @staticmethod
    def _reset_hwm(server: ManagedProcess) -> None:
        try:  # "5" resets VmHWM to the current RSS (Linux >= 4.0)
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def _nmt(self, server: ManagedProcess) -> dict:
        """Committed and peak native memory of the server JVM by NMT category, in bytes."""
        jcmd = Path(self.java).with_name("jcmd")
        try:
            # The launcher script execs java, so the JVM has the server's pid.
            text = subprocess.run([jcmd, str(server.pid), "VM.native_memory", "summary"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            return {}
        out = {}
        for match in re.finditer(r"-\s+(Total|Java Heap|Other|Thread)[^\n]*?committed=(\d+)KB"
                                 r"(?:[^\n]*?peak=(\d+)KB)?", text):
            out[match.group(1)] = (int(match.group(2)) * 1024,
                                   int(match.group(3)) * 1024 if match.group(3) else None)
        total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", text)
        if total:
            out["Total"] = (int(total.group(1)) * 1024, None)
        return out

    def _wait_healthy(self, launcher: Path, target: str, process: ManagedProcess) -> None:
        deadline = time.monotonic() + 120
        env = {**os.environ, "OTEL_SDK_DISABLED": "true"}
        while time.monotonic() < deadline:
            if process._process.poll() is not None:
                raise RuntimeError(f"{process.name} exited; see {process.log_path}")
            if subprocess.run([launcher, "health", "--target", target, "--timeout", "2s"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=60).returncode == 0:
                return
            time.sleep(0.3)
        raise RuntimeError(f"{target} not SERVING within 120 s")

    # ---------------------------------------------------------------- report

    def write_report(self, started: datetime.datetime, elapsed: float) -> None:
        import report  # matplotlib is imported only when there is something to draw

        report.write(self, started, elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-cluster", action="store_true",
                        help="skip the cluster (baselines only)")
    parser.add_argument("--java", required=True)
    parser.add_argument("--java-opts", default="")
    parser.add_argument("--classpath", required=True)
    parser.add_argument("--results-dir", default=str(BENCH / "results"))
    parser.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "arrow-flight-cluster"))
    parser.add_argument("--runs", type=int, help="override the mode's measured runs")
    parser.add_argument("--rows", type=int, help="override the mode's dataset size")
    args = parser.parse_args()
    # SIGTERM (run.sh's cleanup, CI's timeout) unwinds through the finally blocks that stop servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    base = QUICK if args.quick else FULL
    mode = Mode(base.name, rows=args.rows or base.rows, runs=args.runs or base.runs,
                warmup=base.warmup, iperf_seconds=base.iperf_seconds,
                warmup_seconds=base.warmup_seconds, quiet_budget=base.quiet_budget,
                memory_rows=base.memory_rows if not args.rows else args.rows)
    harness = Harness(args, mode)
    Path(args.results_dir).mkdir(parents=True, exist_ok=True)
    shutil.rmtree(harness.logs, ignore_errors=True)
    harness.logs.mkdir(parents=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.monotonic()
    failure = None
    try:
        harness.prepare_data()
        print(f"dataset: {harness.meta['rows']:,} rows, {harness.meta['arrow_bytes'] / 1e6:,.0f} "
              f"MB of Arrow data, {harness.meta['batches']} batches", flush=True)
        harness.measure_java_memory()
        harness.measure_pyarrow()
        harness.measure_iperf3()
        harness.measure_local_read()
        if not args.no_cluster:
            harness.measure_cluster()
            harness.measure_coordinator()
            harness.measure_sharded_read()
            pushdown_bench.measure(harness)
            jdbc_latency.measure(harness)
    except Exception as e:  # report what was measured, then fail
        failure = e
        harness.skipped.append(f"the run FAILED here, what follows was not measured: {e}"[:600])
    finally:
        harness.stop_all()
        if hasattr(harness, "put_dir"):
            shutil.rmtree(harness.put_dir, ignore_errors=True)
    if harness.meta:
        harness.write_report(started, time.monotonic() - clock)
    if failure is not None:
        raise failure


if __name__ == "__main__":
    main()
