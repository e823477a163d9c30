"""Failover between coordinators, and bounds on every wait of a Flight call.

Shared by the Python clients, with the same rules as the Java client (docs/decisions.md, D32-D35):
- `--coordinator` (or FLIGHT_COORDINATOR) is a comma-separated list. A call a coordinator cannot
  answer (UNAVAILABLE: unreachable or not ready; TIMED_OUT: stopped) is made again at the next one,
  and the one that failed is tried last for SKIP_SECONDS. Only calls that change nothing are made
  this way (ListFlights, choose_server), so repeating one elsewhere is safe.
- Every channel has a connect timeout that covers the TCP and HTTP/2 handshakes, and sends gRPC
  keepalive pings while calls are open, so a stopped peer fails the call UNAVAILABLE.
- A read that receives nothing for the progress timeout is cancelled (ProgressWatchdog) and counts
  as UNAVAILABLE, so the reader moves to the next replica. pyarrow's FlightCallOptions(timeout=...)
  bounds a whole call, which a large dataset may rightly exceed, so it cannot do this.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Iterable, TypeVar

import pyarrow.flight as flight

DEFAULT_COORDINATOR = "grpc://localhost:8888"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_PROGRESS_TIMEOUT = 15.0
SKIP_SECONDS = 30.0

# The Java client's values (Connections.KEEPALIVE_TIME/TIMEOUT); the servers permit pings this often.
_KEEPALIVE_TIME_MS = 10_000
_KEEPALIVE_TIMEOUT_MS = 5_000

# A coordinator or server that could not answer at all, as opposed to one that answered with an error.
UNREACHABLE_ERRORS = (flight.FlightUnavailableError, flight.FlightTimedOutError)

T = TypeVar("T")


def coordinator_uris(value: str | Iterable[str] | None) -> list[str]:
    """The coordinators to ask, in order: `value` (a comma-separated string or a list), else
    FLIGHT_COORDINATOR, else grpc://localhost:8888. Each appears once."""
    if value is None or value == "":
        value = os.environ.get("FLIGHT_COORDINATOR") or DEFAULT_COORDINATOR
    parts = value.split(",") if isinstance(value, str) else list(value)
    uris: list[str] = []
    for part in parts:
        uri = part.strip()
        if not uri:
            raise ValueError(f"empty coordinator in {value!r}: give comma-separated grpc://HOST:PORT URIs")
        if uri not in uris:
            uris.append(uri)
    return uris


def channel_options(connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> list[tuple[str, int]]:
    """gRPC channel arguments for pyarrow's FlightClient(generic_options=...)."""
    return [
        # gRPC core's deadline for one connection attempt, TCP and HTTP/2 handshakes both (default 20 s).
        ("grpc.min_reconnect_backoff_ms", max(1, int(connect_timeout * 1000))),
        ("grpc.keepalive_time_ms", _KEEPALIVE_TIME_MS),
        ("grpc.keepalive_timeout_ms", _KEEPALIVE_TIMEOUT_MS),
        ("grpc.keepalive_permit_without_calls", 0),
        # Keep pinging during a long upload, when the server sends nothing back until the end.
        ("grpc.http2.max_pings_without_data", 0),
    ]


class NoCoordinatorAnswered(flight.FlightUnavailableError):
    """Every coordinator was unreachable, not ready or stopped; the message names each one."""


class Coordinators:
    """The coordinators a client may ask, one Flight client each, opened on first use.

    `connect(uri)` opens a client; `clock` (seconds, monotonic) is injectable for tests.
    """

    def __init__(self, uris: Iterable[str], connect: Callable[[str], flight.FlightClient],
                 skip_seconds: float = SKIP_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.uris = list(uris)
        if not self.uris:
            raise ValueError("at least one coordinator is needed")
        self._connect = connect
        self._skip_seconds = skip_seconds
        self._clock = clock
        self._skipped_until: dict[str, float] = {}
        self._clients: dict[str, flight.FlightClient] = {}
        self._lock = threading.Lock()

    def in_order(self) -> list[str]:
        """Coordinators with no recent failure first, in the order given; then the others, the one
        whose skip ends first in front. None is left out."""
        now = self._clock()
        with self._lock:
            for uri, until in list(self._skipped_until.items()):
                if now >= until:
                    del self._skipped_until[uri]
            healthy = [u for u in self.uris if u not in self._skipped_until]
            skipped = sorted((u for u in self.uris if u in self._skipped_until),
                             key=lambda u: self._skipped_until[u])
        return healthy + skipped

    def call(self, fn: Callable[[flight.FlightClient, str], T]) -> T:
        """fn(client, uri) at the first coordinator that answers; fn must change nothing there.

        An answer with an error (NOT_FOUND, ...) is the cluster's answer and is raised as it is.
        Raises NoCoordinatorAnswered when none could answer."""
        failures: list[str] = []
        for uri in self.in_order():
            try:
                result = fn(self._client(uri), uri)
            except UNREACHABLE_ERRORS as error:
                with self._lock:
                    self._skipped_until[uri] = self._clock() + self._skip_seconds
                failures.append(f"coordinator at {uri}: {error}")
                continue
            with self._lock:
                self._skipped_until.pop(uri, None)
            return result
        raise NoCoordinatorAnswered("no coordinator could answer; tried " + "; ".join(failures))

    def _client(self, uri: str) -> flight.FlightClient:
        with self._lock:
            client = self._clients.get(uri)
            if client is None:
                client = self._clients[uri] = self._connect(uri)
            return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


class ProgressWatchdog:
    """Cancels a Flight stream reader while the caller waits longer than `timeout` seconds for its
    next chunk. Time the caller spends between chunks does not count.

        with ProgressWatchdog(reader, 15) as watch:
            while (chunk := watch.read_chunk()) is not None: ...
        # a stall raises StreamStalled (a FlightUnavailableError)
    """

    def __init__(self, reader: flight.FlightStreamReader, timeout: float):
        self._reader = reader
        self._timeout = timeout
        self._deadline: float | None = None
        self._done = False
        self.stalled = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._watch, name="flight-progress-watchdog", daemon=True)

    def __enter__(self) -> "ProgressWatchdog":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        with self._condition:
            self._done = True
            self._condition.notify()
        self._thread.join()

    def read_chunk(self):
        """The next chunk, or None at the end of the stream."""
        with self._condition:
            self._deadline = time.monotonic() + self._timeout
            self._condition.notify()
        try:
            return self._reader.read_chunk()
        except StopIteration:
            return None
        except flight.FlightError as error:
            if self.stalled:
                raise StreamStalled(
                    f"nothing received for {self._timeout:g}s (progress timeout): the server is stopped,"
                    " overloaded or waiting for memory") from error
            raise
        finally:
            with self._condition:
                self._deadline = None

    def _watch(self) -> None:
        with self._condition:
            while not self._done:
                if self._deadline is None:
                    self._condition.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                self.stalled = True
                # Wakes the reader blocked in read_chunk with a cancellation error.
                self._reader.cancel()
                return


class StreamStalled(flight.FlightUnavailableError):
    """A stream delivered nothing for the progress timeout and was cancelled."""
