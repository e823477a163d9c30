"""Starting and stopping the processes a benchmark needs: servers, clients, iperf3.

Reusable by every benchmark (B1..B5): a server is a ManagedProcess that prints a readiness line,
is registered in a pid file that bench/run.sh kills on exit whatever happens to the harness, and
exposes its memory high-water mark (/proc/<pid>/status VmHWM) for B4.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

# bench/run.sh sets this; every pid written here is killed by its exit trap.
PID_FILE_ENV = "BENCH_PID_FILE"


def free_port() -> int:
    """A port free on 127.0.0.1 now. Only for programs that cannot bind port 0 and report it
    (iperf3, the cluster's CLI); a race with another process is possible, so callers retry."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _register_pid(pid: int) -> None:
    path = os.environ.get(PID_FILE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{pid}\n")


def proc_status(pid: int) -> dict[str, int]:
    """Memory fields of /proc/<pid>/status in bytes (VmRSS, VmHWM, ...); empty if gone."""
    fields = {}
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                parts = value.split()
                if key.startswith("Vm") and len(parts) == 2 and parts[1] == "kB":
                    fields[key] = int(parts[0]) * 1024
    except FileNotFoundError:
        pass
    return fields


_TICK = os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat), steal included."""
    with open("/proc/stat", encoding="utf-8") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / _TICK


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds a live process has used (utime + stime); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            # The command name may hold spaces: fields are counted after its closing paren.
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (FileNotFoundError, IndexError, ValueError):
        return 0.0


class CpuAccount:
    """How busy the machine was with work not ours while something was measured.

    The bench machine may be shared (other builds, other tests): a figure measured while another
    process took half the cores is not comparable, and this makes that visible instead of silent.
    Ours = this process, its waited-for children (clients) and the live servers given.
    """

    def __init__(self, servers=()):
        self._servers = [s for s in servers if s is not None]
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        t = os.times()
        ours = t.user + t.system + t.children_user + t.children_system
        ours += sum(process_cpu_seconds(s.pid) for s in self._servers)
        return time.monotonic(), machine_busy_seconds(), ours

    def other_load(self) -> float:
        """Share of all cores (0..1) used by other processes since construction."""
        wall0, busy0, ours0 = self._start
        wall1, busy1, ours1 = self._sample()
        capacity = (wall1 - wall0) * len(os.sched_getaffinity(0))
        if capacity <= 0:
            return 0.0
        return min(1.0, max(0.0, ((busy1 - busy0) - (ours1 - ours0)) / capacity))


class ManagedProcess:
    """A long-running process (a server) started in its own process group.

    start() returns once a line of its output matches ready_pattern; stop() sends SIGTERM, then
    SIGKILL after a grace period. Output goes to a log file, never to a pipe that could fill up
    and stall the process.
    """

    def __init__(self, name: str, argv: list[str], log_dir: Path, ready_pattern: str,
                 env: dict[str, str] | None = None, ready_timeout: float = 120.0):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_dir) / f"{name}.log"
        self._ready = re.compile(ready_pattern)
        self._env = env
        self._ready_timeout = ready_timeout
        self._process: subprocess.Popen | None = None
        self.match: re.Match | None = None
        self.peak: dict[str, int] = {}

    @property
    def command(self) -> str:
        return shlex.join(self.argv)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> "ManagedProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        try:
            self._process = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self._env, start_new_session=True)
        finally:
            log.close()
        _register_pid(self._process.pid)
        deadline = time.monotonic() + self._ready_timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            self.match = self._ready.search(text)
            if self.match:
                return self
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._process.returncode} before it "
                                   f"was ready; see {self.log_path}:\n{text[-2000:]}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} not ready within {self._ready_timeout} s; see "
                           f"{self.log_path}")

    def status(self) -> dict[str, int]:
        return proc_status(self.pid) if self._process else {}

    def stop(self, grace_seconds: float = 15.0) -> int | None:
        if self._process is None or self._process.poll() is not None:
            return self._process.returncode if self._process else None
        # Read the high-water mark while the process still exists.
        self.peak = self.status()
        try:
            os.killpg(self._process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return self._process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            return self._process.wait(timeout=grace_seconds)

    def __enter__(self) -> "ManagedProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def run_client(argv: list[str], log_path: Path, timeout: float,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs a client to completion, bounded in time; raises with its output if it fails."""
    argv = [str(a) for a in argv]
    try:
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        Path(log_path).write_bytes(e.output or b"")
        raise RuntimeError(f"timed out after {timeout} s: {shlex.join(argv)}") from None
    Path(log_path).write_bytes(result.stdout)
    if result.returncode != 0:
        tail = result.stdout.decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"exit {result.returncode}: {shlex.join(argv)}\n{tail}")
    return result
