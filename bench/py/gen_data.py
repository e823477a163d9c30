"""Generates the bench dataset: one Parquet file and the same rows as an Arrow IPC file.

Columns: id int64, value double (1 % nulls), ts timestamp[us, UTC], customer string (variable
length), category dictionary<int32, string> (16 values). About 49 Arrow bytes a row, so 10M rows
is about 0.5 GB of Arrow data.

Why two files: the Parquet file is what the servers read (pyarrow's server now, the cluster's
data server later); the IPC file holds exactly the same batches, with one dictionary for the
whole file, for the programs that preload data into memory (the Java library-limit server and
the DoPut clients), so that nothing but Flight is timed there.

Data is generated in chunks of 16 batches so memory stays bounded whatever --rows is, and from a
fixed seed so that every run of the bench measures the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import flightbench

# Bump when the data changes, so that cached datasets are not reused by mistake.
GENERATOR_VERSION = 1

CATEGORIES = pa.array([
    "books", "electronics", "garden", "grocery", "health", "home", "jewelry", "kids",
    "movies", "music", "outdoors", "shoes", "sports", "tools", "toys", "travel",
])

SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("value", pa.float64()),
    pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("customer", pa.string(), nullable=False),
    pa.field("category", pa.dictionary(pa.int32(), pa.string()), nullable=False),
])


def make_chunk(rng: np.random.Generator, start: int, rows: int) -> pa.RecordBatch:
    ids = np.arange(start, start + rows, dtype=np.int64)
    values = rng.normal(100.0, 25.0, rows)
    nulls = rng.random(rows) < 0.01
    base_us = 1_700_000_000_000_000
    ts = base_us + ids * 1_000 + rng.integers(0, 1_000, rows)
    # Vectorised, so that 10M strings take seconds: "customer-" and 1 to 9 digits.
    digits = pc.cast(pa.array(rng.integers(0, 10 ** rng.integers(1, 10, rows))), pa.string())
    customer = pc.binary_join_element_wise("customer-", digits, "")
    category = pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(CATEGORIES), rows, dtype=np.int32)), CATEGORIES)
    return pa.RecordBatch.from_arrays([
        pa.array(ids),
        pa.array(values, mask=nulls),
        pa.array(ts, type=pa.timestamp("us", tz="UTC")),
        customer,
        category,
    ], schema=SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--side-dir", help="where the IPC file and bench.json go (default: --out-dir)")
    parser.add_argument("--name", default="bench.parquet", help="dataset (Parquet file) name")
    parser.add_argument("--batch-rows", type=int, default=65536)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    if args.rows < 1 or args.batch_rows < 1:
        sys.exit("--rows and --batch-rows must be >= 1")

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    side = Path(args.side_dir) if args.side_dir else out
    side.mkdir(parents=True, exist_ok=True)
    parquet_path = out / args.name
    ipc_path = side / (Path(args.name).stem + ".arrow")
    meta_path = side / (Path(args.name).stem + ".json")

    rng = np.random.default_rng(args.seed)
    # Row groups hold a whole number of batches, so that a reader batching by --batch-rows
    # yields exactly the batches of the IPC file, and the Arrow-byte counts of all servers agree.
    chunk_rows = 16 * args.batch_rows
    rows = arrow_size = batches = 0
    # Hidden while incomplete, so that no server lists a half-written file.
    tmp_parquet = parquet_path.with_name(f".{parquet_path.name}.tmp")
    tmp_ipc = ipc_path.with_suffix(".arrow.tmp")
    with pq.ParquetWriter(tmp_parquet, SCHEMA) as parquet, pa.OSFile(str(tmp_ipc), "wb") as sink, \
            pa.ipc.new_file(sink, SCHEMA) as ipc:
        while rows < args.rows:
            n = min(chunk_rows, args.rows - rows)
            chunk = make_chunk(rng, rows, n)
            parquet.write_batch(chunk, row_group_size=chunk_rows)
            for offset in range(0, n, args.batch_rows):
                batch = chunk.slice(offset, args.batch_rows)
                ipc.write_batch(batch)
                arrow_size += flightbench.arrow_bytes(batch)
                batches += 1
            rows += n
    os.replace(tmp_parquet, parquet_path)
    os.replace(tmp_ipc, ipc_path)

    meta = {
        "generator_version": GENERATOR_VERSION,
        "name": args.name,
        "rows": rows,
        "batch_rows": args.batch_rows,
        "batches": batches,
        "arrow_bytes": arrow_size,
        "parquet_file": str(parquet_path),
        "parquet_bytes": parquet_path.stat().st_size,
        "ipc_file": str(ipc_path),
        "ipc_bytes": ipc_path.stat().st_size,
        "seed": args.seed,
        "schema": str(SCHEMA),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
