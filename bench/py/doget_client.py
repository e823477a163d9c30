"""B1 DoGet throughput with pyarrow's Flight client, for any location and ticket.

Same flags and JSON report as the Java client dev.flightcluster.bench.DoGetBench.
"""

from __future__ import annotations

import argparse
import sys
import time

import pyarrow.flight as flight

import flightbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--location", required=True, help="e.g. grpc://127.0.0.1:8889")
    parser.add_argument("--ticket", required=True, help="sent as its UTF-8 bytes")
    parser.add_argument("--expect-rows", type=int, default=-1,
                        help="fail unless every stream yields this many rows")
    parser.add_argument("--expect-bytes", type=int, default=-1,
                        help="fail unless every stream yields this many Arrow bytes")
    parser.add_argument("--sleep-ms", type=float, default=0,
                        help="sleep this long after each batch: a deliberately slow reader (B4)")
    flightbench.common_arguments(parser)
    args = parser.parse_args()
    flightbench.check_common(args)

    ticket = flight.Ticket(args.ticket.encode("utf-8"))
    options = flight.FlightCallOptions(timeout=args.timeout_seconds)
    # One client (one gRPC channel, one connection) a stream, reused by every run, as in Java.
    clients = [flight.FlightClient(args.location) for _ in range(args.streams)]
    try:
        def read_all(stream: int, _label: str) -> flightbench.StreamTotals:
            totals = flightbench.StreamTotals()
            reader = clients[stream].do_get(ticket, options=options)
            while True:
                try:
                    batch = reader.read_chunk().data
                except StopIteration:
                    break
                totals.rows += batch.num_rows
                totals.arrow_bytes += flightbench.arrow_bytes(batch)
                totals.batches += 1
                if args.sleep_ms > 0:
                    time.sleep(args.sleep_ms / 1000)
            if args.expect_rows >= 0 and totals.rows != args.expect_rows:
                raise RuntimeError(f"expected {args.expect_rows} rows, got {totals.rows}")
            if args.expect_bytes >= 0 and totals.arrow_bytes != args.expect_bytes:
                raise RuntimeError(
                    f"expected {args.expect_bytes} Arrow bytes, got {totals.arrow_bytes}")
            return totals

        runs = flightbench.measure(args, read_all)
    finally:
        for client in clients:
            client.close()
    flightbench.write_report(args, "py-doget", "doget", args.location, args.ticket, runs)


if __name__ == "__main__":
    sys.exit(main())
