"""B5 per-RPC latency: a bounded loop of GetFlightInfo calls, one client, p50/p90/p99 in us."""

from __future__ import annotations

import argparse
import json
import statistics
import time

import pyarrow.flight as flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--location", required=True)
    parser.add_argument("--path", required=True, help="descriptor path (a dataset name)")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    client = flight.FlightClient(args.location)
    descriptor = flight.FlightDescriptor.for_path(args.path)
    options = flight.FlightCallOptions(timeout=30)
    samples = []
    for i in range(args.warmup + args.calls):
        t0 = time.perf_counter_ns()
        client.get_flight_info(descriptor, options)
        if i >= args.warmup:
            samples.append((time.perf_counter_ns() - t0) / 1e3)
    client.close()
    samples.sort()
    q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]  # noqa: E731
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump({"calls": len(samples), "p50_us": q(0.5), "p90_us": q(0.9), "p99_us": q(0.99),
                   "mean_us": statistics.fmean(samples)}, f)


if __name__ == "__main__":
    main()
