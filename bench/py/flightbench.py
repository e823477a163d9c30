"""Shared pieces of the Python bench programs: the Arrow-bytes rule, the report format, timing.

The Java clients (dev.flightcluster.bench) follow the same rules; bench/NOTES.md explains them.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Callable

import pyarrow as pa


def arrow_bytes(batch: pa.RecordBatch) -> int:
    """Arrow bytes of a record batch: the twin of dev.flightcluster.bench.ArrowBytes.

    Logical, not allocated, size: Java and C++ allocate differently (C++ may omit the validity
    buffer of a column without nulls, Java never does), so counting allocations would make the
    two clients disagree about the same stream.
    """
    return sum(_column_bytes(column) for column in batch.columns)


def _column_bytes(array: pa.Array) -> int:
    if pa.types.is_dictionary(array.type):
        # Indices only: the dictionary goes once a stream and is tiny for low-cardinality columns.
        array = array.indices
    rows = len(array)
    validity = (rows + 7) // 8 if array.null_count > 0 else 0
    kind = array.type
    if pa.types.is_boolean(kind):
        return (rows + 7) // 8 + validity
    if pa.types.is_string(kind) or pa.types.is_binary(kind):
        return _variable_width_bytes(array, rows, "<i", 4) + validity
    if pa.types.is_large_string(kind) or pa.types.is_large_binary(kind):
        return _variable_width_bytes(array, rows, "<q", 8) + validity
    try:
        width = kind.bit_width
    except ValueError:
        width = None
    if width is not None and width % 8 == 0:
        return rows * (width // 8) + validity
    # Nested and other layouts: not in the bench datasets; fall back to the buffers' size.
    return array.nbytes


def _variable_width_bytes(array: pa.Array, rows: int, offset_format: str, width: int) -> int:
    if rows == 0:
        return 0
    offsets = array.buffers()[1]
    first = struct.unpack_from(offset_format, offsets, width * array.offset)[0]
    last = struct.unpack_from(offset_format, offsets, width * (array.offset + rows))[0]
    return (rows + 1) * width + (last - first)


@dataclass
class StreamTotals:
    rows: int = 0
    arrow_bytes: int = 0
    batches: int = 0


@dataclass
class Run:
    seconds: float
    rows: int
    arrow_bytes: int
    batches: int


def common_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags the Java clients also take (CommonOptions), with the same meaning."""
    parser.add_argument("--streams", type=int, default=1, help="concurrent streams a run")
    parser.add_argument("--runs", type=int, default=5, help="measured runs")
    parser.add_argument("--warmup", type=int, default=1, help="unreported runs made first")
    parser.add_argument("--warmup-seconds", type=float, default=0,
                        help="keep warming up until this long was spent warming up")
    parser.add_argument("--timeout-seconds", type=float, default=600, help="bound on one run")
    parser.add_argument("--output", help="write the JSON report here (default: stdout)")


def check_common(args: argparse.Namespace) -> None:
    if args.streams < 1 or args.runs < 1 or args.warmup < 0 or args.warmup_seconds < 0 \
            or args.timeout_seconds <= 0:
        sys.exit("--streams and --runs must be >= 1, --warmup and --warmup-seconds >= 0, "
                 "--timeout-seconds > 0")


def run_concurrently(
    streams: int, timeout_seconds: float, task: Callable[[int], StreamTotals]
) -> Run:
    """One run: N threads start together; timed from the start to the end of the slowest.

    Threads, not processes: pyarrow releases the GIL while it moves and decodes data, and the
    clients only touch Python objects once a batch.
    """
    barrier = threading.Barrier(streams + 1, timeout=30)

    def body(stream: int) -> StreamTotals:
        barrier.wait()
        return task(stream)

    with ThreadPoolExecutor(max_workers=streams) as pool:
        futures = [pool.submit(body, i) for i in range(streams)]
        barrier.wait()
        begin = time.perf_counter()
        totals = [f.result(timeout=max(0.0, timeout_seconds - (time.perf_counter() - begin)))
                  for f in futures]
        seconds = time.perf_counter() - begin
    return Run(
        seconds=seconds,
        rows=sum(t.rows for t in totals),
        arrow_bytes=sum(t.arrow_bytes for t in totals),
        batches=sum(t.batches for t in totals),
    )


# Bounds warm-up by count too, whatever --warmup-seconds says (as the Java clients do).
MAX_WARMUP_RUNS = 50


def measure(args: argparse.Namespace, task: Callable[[int, str], StreamTotals]) -> list[Run]:
    """Warm-up runs (labelled w0, w1, ...), then the measured ones (0, 1, ...).

    Sets args.warmups_done, which the report gives as "warmup".
    """
    warmups = 0
    start = time.perf_counter()
    while warmups < args.warmup or (warmups < MAX_WARMUP_RUNS
                                    and time.perf_counter() - start < args.warmup_seconds):
        label = f"w{warmups}"
        run_concurrently(args.streams, args.timeout_seconds, lambda s: task(s, label))
        warmups += 1
    args.warmups_done = warmups
    runs = []
    for i in range(args.runs):
        label = str(i)
        runs.append(run_concurrently(args.streams, args.timeout_seconds, lambda s: task(s, label)))
    return runs


def write_report(args: argparse.Namespace, tool: str, operation: str, location: str,
                 target: str, runs: list[Run]) -> None:
    """The same JSON document as the Java clients' BenchReport."""
    report = {
        "tool": tool,
        "operation": operation,
        "location": location,
        "target": target,
        "streams": args.streams,
        "warmup": getattr(args, "warmups_done", args.warmup),
        "runs": [asdict(r) for r in runs],
    }
    text = json.dumps(report, indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text, flush=True)
