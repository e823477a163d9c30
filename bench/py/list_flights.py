"""ListFlights with pyarrow's client: a bounded loop of listings of a whole catalog, in ms.

Each listing is consumed to its end and counted; the time to the first info is kept apart, so
that what the server does before it sends (its own work) and the streaming of the infos can be
told apart.
"""

from __future__ import annotations

import argparse
import json
import time

import pyarrow.flight as flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--location", required=True)
    parser.add_argument("--expect", type=int, required=True, help="datasets a listing must hold")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    client = flight.FlightClient(args.location)
    options = flight.FlightCallOptions(timeout=120)
    total, first = [], []
    for i in range(args.warmup + args.calls):
        t0 = time.perf_counter_ns()
        t1 = None
        count = 0
        for _ in client.list_flights(options=options):
            if count == 0:
                t1 = time.perf_counter_ns()
            count += 1
        t2 = time.perf_counter_ns()
        if count != args.expect:
            raise SystemExit(f"listed {count} datasets, expected {args.expect}")
        if i >= args.warmup:
            total.append((t2 - t0) / 1e6)
            first.append((t1 - t0) / 1e6)
    client.close()
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump({"datasets": args.expect, "calls": args.calls, "warmup_calls": args.warmup,
                   "ms": total, "first_message_ms": first}, f)


if __name__ == "__main__":
    main()
