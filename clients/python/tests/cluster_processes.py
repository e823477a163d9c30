"""Starting the distribution's processes for the Python suites: one environment and one wait."""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DISTRIBUTION = REPO / "cli/target/flight-cluster/bin/flight-cluster"

# Generous: a JVM starting on a loaded CI machine.
START_TIMEOUT_S = 180


def base_env() -> dict[str, str]:
    """The caller's environment without its OTEL_ and FLIGHT_ settings, with tracing off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FLIGHT_"))}
    env["OTEL_SDK_DISABLED"] = "true"
    return env


def start(args: list[str], pattern: str, log: Path,
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen, re.Match]:
    """Starts `flight-cluster ARGS` and returns it with the first match of pattern in its log.

    Raises AssertionError with the log when the process exits or the pattern does not appear in time.
    """
    with log.open("w") as out:  # the child keeps its own descriptor
        process = subprocess.Popen([str(DISTRIBUTION), *args],
                                   env=base_env() if env is None else env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text())
        if match:
            return process, match
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"{args[0]} did not start: {log.read_text()}")
