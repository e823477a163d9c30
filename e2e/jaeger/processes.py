"""The suite's child processes: started in their own process groups, logged to files, and stopped
whatever happens (fixture finalizers, then an atexit hook, then run-suite.sh's trap reading the
pid file).
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import time
from pathlib import Path

_live: list["Processes"] = []


class ProcessDied(AssertionError):
    pass


class Processes:
    """Long-running processes of one fixture; `stop_all` ends them newest first."""

    def __init__(self, log_dir: Path, pid_file: Path):
        self.log_dir = log_dir
        self.pid_file = pid_file
        self.started: list[tuple[str, subprocess.Popen, Path]] = []
        log_dir.mkdir(parents=True, exist_ok=True)
        _live.append(self)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.log_dir / f"{name}.log"
        with open(log, "wb") as out:
            # A session of its own: the whole tree (launcher script, JVM) is signalled as one, and a
            # Ctrl-C in the terminal reaches only pytest, which then stops everything in order.
            process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append((name, process, log))
        with open(self.pid_file, "a") as pids:
            pids.write(f"{process.pid}\n")
        return process

    def check_alive(self) -> None:
        for name, process, log in self.started:
            if process.poll() is not None:
                raise ProcessDied(f"{name} exited with {process.returncode}; its log ({log}):\n{tail(log)}")

    def logs(self) -> str:
        return "\n".join(f"--- {name} ({log}):\n{tail(log, 15)}" for name, _, log in self.started)

    def stop_all(self, timeout: float = 15.0) -> None:
        # Servers before the coordinator: each says goodbye on SIGTERM.
        for name, process, _ in reversed(self.started):
            _terminate(process, timeout)
        self.started.clear()
        if self in _live:
            _live.remove(self)


def _terminate(process: subprocess.Popen, timeout: float) -> None:
    if process.poll() is not None:
        return
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait(10)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)  # start_new_session: the group id is the child's pid
    except ProcessLookupError:
        pass


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


def run(argv: list[str], env: dict[str, str], timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Runs a command to its end; its output is returned, never printed."""
    started = time.monotonic()
    try:
        return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout, cwd=cwd, start_new_session=True)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"{argv} did not finish in {time.monotonic() - started:.0f} s; "
                             f"stdout:\n{error.stdout}\nstderr:\n{error.stderr}") from error


@atexit.register
def _stop_leftovers() -> None:
    # Only reached with processes still running when pytest itself died in an unusual way.
    for processes in list(_live):
        processes.stop_all(timeout=5.0)
