"""B1 baseline (d): pyarrow reading the Parquet file locally, no network.

Reads exactly as the pyarrow Flight server does (ParquetFile.iter_batches with the same batch
size), so the gap between this and a DoGet from that server is the cost of Flight. With
--streams N, N threads each read the whole file. The file is in the page cache after the data
generation and the warm-up run, so this measures decoding, not the disk.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow.parquet as pq

import flightbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", required=True, help="Parquet file")
    parser.add_argument("--batch-rows", type=int, default=65536)
    flightbench.common_arguments(parser)
    args = parser.parse_args()
    flightbench.check_common(args)

    def read_all(_stream: int, _label: str) -> flightbench.StreamTotals:
        totals = flightbench.StreamTotals()
        with pq.ParquetFile(args.path) as parquet:
            for batch in parquet.iter_batches(batch_size=args.batch_rows):
                totals.rows += batch.num_rows
                totals.arrow_bytes += flightbench.arrow_bytes(batch)
                totals.batches += 1
        return totals

    runs = flightbench.measure(args, read_all)
    path = Path(args.path).resolve()
    flightbench.write_report(args, "py-parquet-read", "local-read", path.as_uri(), path.name, runs)


if __name__ == "__main__":
    sys.exit(main())
