"""`flight-cluster demo --secure`: the pyarrow lines it prints connect over grpc+tls and list every dataset."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DISTRIBUTION = REPO / "cli/target/flight-cluster/bin/flight-cluster"

pytestmark = pytest.mark.skipif(
    not DISTRIBUTION.exists(), reason="needs the distribution: ./mvnw -pl cli -am package -DskipTests")


def pyarrow_recipe(output: str) -> str:
    """The indented lines after "From pyarrow:", unindented."""
    lines = output.split("From pyarrow:\n", 1)[1].splitlines()
    recipe = []
    for line in lines:
        if not line.startswith("  "):
            break
        recipe.append(line[2:])
    return "\n".join(recipe)


def test_the_printed_pyarrow_lines_connect_over_tls(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "FLIGHT_"))}
    env["OTEL_SDK_DISABLED"] = "true"
    log = tmp_path / "demo.out"
    with log.open("w") as out:
        demo = subprocess.Popen(
            [str(DISTRIBUTION), "demo", "--secure", "--keep-running", "--rows", "200", "--data-dir",
             str(tmp_path / "data"), "--startup-timeout", "240s"],
            env=env, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while "Press Ctrl-C to stop." not in log.read_text():
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        output = log.read_text()
        secure = tmp_path / "data" / "secure"
        assert re.search(r"started coordinator at grpc\+tls://127\.0\.0\.1:\d+", output)
        assert (secure / "ca.pem").is_file() and (secure / "password").is_file()
        assert (secure / "password").read_text().strip() not in output
        recipe = pyarrow_recipe(output)
        assert "tls_root_certs" in recipe and "authenticate_basic_token" in recipe
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(recipe, {})  # noqa: S102 - the demo's own instructions, run as a user would
        assert sorted(printed.getvalue().split()) == sorted(
            ["[b'orders.parquet']", "[b'sensor_readings.parquet']", "[b'taxi_trips.parquet']"])
    finally:
        # The demo stops its children on SIGTERM (shutdown hook).
        os.killpg(demo.pid, signal.SIGTERM)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
