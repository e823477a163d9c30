"""A tiny OTLP/HTTP trace sink for the bench: accepts POST /v1/traces, answers 200, counts.

Stands in for a collector so that traced servers export over the network as they would in
production (batch span processor, OTEL_BSP defaults) without a collector's CPU in the picture.
Prints `LISTENING http://127.0.0.1:<port>` once bound; `--count-file` gets `requests bytes` on exit.
"""

from __future__ import annotations

import argparse
import http.server
import signal
import sys
import threading
import time


class Sink(http.server.ThreadingHTTPServer):
    daemon_threads = True
    requests = 0
    received = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self.server.requests += 1
        self.server.received += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-seconds", type=float, default=3 * 3600)
    parser.add_argument("--count-file")
    args = parser.parse_args()
    sink = Sink(("127.0.0.1", 0), Handler)

    def finish(*_):
        if args.count_file:
            with open(args.count_file, "w", encoding="utf-8") as f:
                f.write(f"{sink.requests} {sink.received}\n")
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    print(f"LISTENING http://127.0.0.1:{sink.server_address[1]}", flush=True)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    deadline = time.monotonic() + args.max_seconds
    while time.monotonic() < deadline:
        time.sleep(1)
    finish()


if __name__ == "__main__":
    main()
