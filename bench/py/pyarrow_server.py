"""The peer: pyarrow's own Flight server over a folder of Parquet files.

DoGet streams a file batch by batch (ParquetFile.iter_batches -> RecordBatchReader ->
RecordBatchStream), so memory stays bounded by a few batches whatever the file's size. DoPut
writes the stream to Parquet batch by batch, through a hidden temporary file renamed into place
when complete. Names follow the cluster's contract: ticket = UTF-8 dataset name, descriptor =
PATH [name], put names end with ".parquet".

Prints "LISTENING grpc://HOST:PORT" once it accepts calls (port 0 picks a free port); stops on
SIGTERM or SIGINT, and by itself after --max-seconds.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq


class ParquetFlightServer(flight.FlightServerBase):
    def __init__(self, location: str, data_dir: Path, put_dir: Path, batch_rows: int):
        super().__init__(location)
        self._data_dir = data_dir.resolve()
        self._put_dir = put_dir.resolve()
        self._batch_rows = batch_rows

    def _resolve(self, root: Path, name: str) -> Path:
        path = (root / name).resolve()
        # A name may not climb out of the folder, nor name a hidden (staging) file.
        if root not in path.parents or any(part.startswith(".") for part in Path(name).parts):
            raise flight.FlightServerError(f"invalid dataset name {name!r}")
        return path

    def _find(self, name: str) -> Path:
        for root in (self._data_dir, self._put_dir):
            path = self._resolve(root, name)
            if path.is_file():
                return path
        raise KeyError(name)

    @staticmethod
    def _name(descriptor: flight.FlightDescriptor) -> str:
        if descriptor.descriptor_type != flight.DescriptorType.PATH or len(descriptor.path) != 1:
            raise flight.FlightServerError("expected a PATH descriptor with one element")
        return descriptor.path[0].decode("utf-8")

    def _info(self, name: str, path: Path) -> flight.FlightInfo:
        metadata = pq.read_metadata(path)
        ticket = flight.Ticket(name.encode("utf-8"))
        return flight.FlightInfo(
            metadata.schema.to_arrow_schema(), flight.FlightDescriptor.for_path(name),
            [flight.FlightEndpoint(ticket, [])], metadata.num_rows, -1)

    def list_flights(self, context, criteria):
        for path in sorted(self._data_dir.glob("*.parquet")):
            yield self._info(path.name, path)

    def get_flight_info(self, context, descriptor):
        name = self._name(descriptor)
        try:
            return self._info(name, self._find(name))
        except KeyError:
            raise flight.FlightUnavailableError(f"no dataset {name!r}") from None

    def do_get(self, context, ticket):
        name = ticket.ticket.decode("utf-8")
        try:
            path = self._find(name)
        except KeyError:
            raise flight.FlightUnavailableError(f"no dataset {name!r}") from None
        parquet = pq.ParquetFile(path)

        def batches():
            # The file is closed when the stream ends, finished or cancelled.
            with parquet:
                yield from parquet.iter_batches(batch_size=self._batch_rows)

        reader = pa.RecordBatchReader.from_batches(parquet.schema_arrow, batches())
        return flight.RecordBatchStream(reader)

    def do_put(self, context, descriptor, reader, writer):
        name = self._name(descriptor)
        if not name.endswith(".parquet"):
            raise flight.FlightServerError("DoPut names must end with .parquet")
        final = self._resolve(self._put_dir, name)
        staging = final.with_name(f".{final.name}.{threading.get_ident()}.tmp")
        try:
            with pq.ParquetWriter(staging, reader.schema) as parquet:
                for chunk in reader:
                    parquet.write_batch(chunk.data)
            os.replace(staging, final)
        finally:
            staging.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--put-dir", help="where DoPut writes (default: --data-dir)")
    parser.add_argument("--batch-rows", type=int, default=65536)
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()

    data_dir = Path(args.data_dir)
    put_dir = Path(args.put_dir) if args.put_dir else data_dir
    put_dir.mkdir(parents=True, exist_ok=True)
    server = ParquetFlightServer(f"grpc://{args.host}:{args.port}", data_dir, put_dir,
                                 args.batch_rows)

    def stop(*_):
        # shutdown() waits for calls in flight: never run it on the thread blocked in serve().
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(args.max_seconds, stop)
    timer.daemon = True
    timer.start()
    print(f"LISTENING grpc://{args.host}:{server.port}", flush=True)
    server.wait()
    timer.cancel()


if __name__ == "__main__":
    sys.exit(main())
