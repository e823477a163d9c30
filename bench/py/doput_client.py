"""B2 DoPut throughput with pyarrow's Flight client.

Same flags and JSON report as the Java client dev.flightcluster.bench.DoPutBench. The batches
are read from an Arrow IPC file into memory before anything is timed.
"""

from __future__ import annotations

import argparse
import sys

import pyarrow as pa
import pyarrow.flight as flight

import flightbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--location", required=True)
    parser.add_argument("--source", required=True, help="Arrow IPC file whose batches to put")
    parser.add_argument("--name-prefix", default="bench-put",
                        help="dataset names are PREFIX-RUN-STREAM.parquet")
    flightbench.common_arguments(parser)
    args = parser.parse_args()
    flightbench.check_common(args)

    # OSFile reads into memory (a memory map would leave the page cache in the timed part).
    with pa.OSFile(args.source) as f:
        reader = pa.ipc.open_file(f)
        schema = reader.schema
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
    rows = sum(b.num_rows for b in batches)
    size = sum(flightbench.arrow_bytes(b) for b in batches)

    options = flight.FlightCallOptions(timeout=args.timeout_seconds)
    clients = [flight.FlightClient(args.location) for _ in range(args.streams)]
    try:
        def put_all(stream: int, label: str) -> flightbench.StreamTotals:
            name = f"{args.name_prefix}-{label}-{stream}.parquet"
            descriptor = flight.FlightDescriptor.for_path(name)
            writer, _ = clients[stream].do_put(descriptor, schema, options=options)
            for batch in batches:
                writer.write_batch(batch)
            # close() returns once the server has acknowledged (written) the whole stream.
            writer.close()
            return flightbench.StreamTotals(rows, size, len(batches))

        runs = flightbench.measure(args, put_all)
    finally:
        for client in clients:
            client.close()
    flightbench.write_report(args, "py-doput", "doput", args.location, args.name_prefix, runs)


if __name__ == "__main__":
    sys.exit(main())
