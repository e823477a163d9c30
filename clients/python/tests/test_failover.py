"""Coordinator failover, connect timeouts and the progress timeout of the Python clients, against
the in-process stand-ins of test_clients.py plus a socket that accepts and never answers and a data
server that stops sending. Without the timeouts the stalled cases hang: pytest's own timeout is not
installed here, so each case bounds itself with a short progress or connect timeout."""

from __future__ import annotations

import os
import socket
import sys
import threading

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import failover  # noqa: E402
import list_and_get_all_flights as lister  # noqa: E402
import put_dataset as putter  # noqa: E402
from test_clients import Coordinator, DataServer, dead_location  # noqa: E402


class Blackhole:
    """Accepts connections and never reads or answers, as a stopped (SIGSTOP) process looks."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.location = f"grpc://127.0.0.1:{self.socket.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        # shutdown() wakes the accept() blocked in the other thread; close() alone may not.
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.socket.close()
        self.thread.join()
        for connection in self.accepted:
            connection.close()


class StalledServer(DataServer):
    """Sends the schema of every dataset, then nothing."""

    def __init__(self, tables):
        super().__init__(tables)
        self.release = threading.Event()
        self.streams = 0

    def do_get(self, context, ticket):
        self.streams += 1
        table = self.tables[ticket.ticket.decode("utf-8")]

        def batches():
            # Released at teardown, long after a client with a progress timeout has moved on; one that
            # waited this long instead gets an error that no client fails over on.
            if not self.release.wait(20):
                raise flight.FlightInternalError("the client waited 20s for a stalled stream")
            yield from ()

        return flight.GeneratorStream(table.schema, batches())


@pytest.fixture()
def cluster():
    sales = pa.table({"id": list(range(100))})
    healthy = DataServer({"sales.parquet": sales})
    stalled = StalledServer({"sales.parquet": sales})
    coord = Coordinator({"sales.parquet": [stalled.location, healthy.location]},
                        {"sales.parquet": sales.schema}, healthy)
    hole = Blackhole()
    yield {"coord": coord, "healthy": healthy, "stalled": stalled, "blackhole": hole,
           "uri": f"grpc://127.0.0.1:{coord.port}"}
    stalled.release.set()
    hole.close()
    for server in (coord, healthy, stalled):
        server.shutdown()


def test_coordinator_list_fails_over_past_a_closed_port(cluster):
    counts = lister.list_and_get_all_flights(f"{dead_location()},{cluster['uri']}", timeout=10,
                                             progress_timeout=2)
    assert counts == {"sales.parquet": 100}


def test_coordinator_that_never_answers_is_passed_over_after_the_connect_timeout(cluster):
    counts = lister.list_and_get_all_flights([cluster["blackhole"].location, cluster["uri"]], timeout=30,
                                             connect_timeout=1, progress_timeout=2)
    assert counts == {"sales.parquet": 100}
    assert cluster["blackhole"].accepted


def test_every_coordinator_down_exits_2_naming_each(cluster, capsys):
    dead = dead_location()
    hole = cluster["blackhole"].location
    assert lister.main(["--coordinator", f"{dead},{hole}", "--connect-timeout", "1", "--timeout", "30"]) == 2
    err = capsys.readouterr().err
    assert "no coordinator could answer" in err
    assert f"coordinator at {dead}:" in err and f"coordinator at {hole}:" in err


def test_a_stalled_server_is_left_for_the_replica(cluster):
    counts = lister.list_and_get_all_flights(cluster["uri"], timeout=10, progress_timeout=1)
    assert counts == {"sales.parquet": 100}
    assert cluster["stalled"].streams == 1


def test_without_a_replica_a_stalled_server_is_reported(cluster, capsys):
    cluster["coord"].holders["sales.parquet"] = [cluster["stalled"].location]
    assert lister.main(["--coordinator", cluster["uri"], "--progress-timeout", "1"]) == 1
    assert "progress timeout" in capsys.readouterr().err


def test_choose_server_fails_over_between_coordinators(cluster, tmp_path):
    src = tmp_path / "upload.parquet"
    pq.write_table(pa.table({"v": [1, 2, 3]}), src)
    result = putter.put_dataset(str(src), "new.parquet", f"{dead_location()},{cluster['uri']}", timeout=10)
    assert result["rows"] == 3
    assert cluster["healthy"].tables["new.parquet"].num_rows == 3


def test_coordinator_list_parsing():
    assert failover.coordinator_uris(" grpc://a:1, grpc://b:2,grpc://a:1") == ["grpc://a:1", "grpc://b:2"]
    assert failover.coordinator_uris(["grpc://a:1"]) == ["grpc://a:1"]
    with pytest.raises(ValueError, match="empty coordinator"):
        failover.coordinator_uris("grpc://a:1,,grpc://b:2")


def test_a_failed_coordinator_is_tried_last_until_its_skip_ends():
    now = [1000.0]
    down = {"grpc://a:1"}
    asked: list[str] = []

    def call(client, uri):
        asked.append(uri)
        if uri in down:
            raise flight.FlightUnavailableError("warming up")
        return uri

    coordinators = failover.Coordinators(["grpc://a:1", "grpc://b:2"], connect=lambda uri: uri,
                                         skip_seconds=30, clock=lambda: now[0])
    assert coordinators.call(call) == "grpc://b:2"
    assert asked == ["grpc://a:1", "grpc://b:2"]

    down.clear()
    asked.clear()
    now[0] += 29
    assert coordinators.call(call) == "grpc://b:2"
    assert asked == ["grpc://b:2"]

    asked.clear()
    now[0] += 1
    assert coordinators.call(call) == "grpc://a:1"
    assert asked == ["grpc://a:1"]


def test_an_answer_with_an_error_is_not_retried_elsewhere():
    asked: list[str] = []

    def call(client, uri):
        asked.append(uri)
        raise flight.FlightServerError("NOT_FOUND: no such dataset")

    coordinators = failover.Coordinators(["grpc://a:1", "grpc://b:2"], connect=lambda uri: uri)
    with pytest.raises(flight.FlightServerError):
        coordinators.call(call)
    assert asked == ["grpc://a:1"]
