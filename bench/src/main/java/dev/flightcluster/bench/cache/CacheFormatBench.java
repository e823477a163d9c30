package dev.flightcluster.bench.cache;

import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.GeneratedReader;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The measurement behind decisions D86: the hot cache's copy format. One generated Parquet file is
 * copied to Arrow IPC uncompressed and LZ4_FRAME-compressed (ArrowFileWriter, as the cache writes),
 * and each is read to its end through arrow-dataset's scanner and through ArrowFileReader on a
 * FileChannel; then DoGet of the file from an in-process data server, from Parquet (cache off) and
 * from its cached copy. Prints the sizes and the best of {@code --runs} times as Arrow MB/s.
 */
@Command(
    name = "cache-format-bench",
    mixinStandardHelpOptions = true,
    description = "Hot cache copy formats: size and read speed, and DoGet from Parquet vs copy.")
public final class CacheFormatBench implements Callable<Integer> {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("city", ArrowType.Utf8.INSTANCE),
              Field.nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
  private static final String[] CITIES = {"Berlin", "Lisbon", "Osaka", "Quito", "Nairobi"};

  @Option(names = "--rows", defaultValue = "4000000", description = "Rows of the file.")
  private int rows;

  @Option(names = "--batch-rows", defaultValue = "65536", description = "Rows per batch.")
  private int batchRows;

  @Option(
      names = "--lz4-rows",
      defaultValue = "65536",
      description = "Rows of the file copied with LZ4_FRAME, whose Java codec is slow.")
  private int lz4Rows;

  @Option(names = "--runs", defaultValue = "3", description = "Runs of each read; the best counts.")
  private int runs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CacheFormatBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("cache-format-bench");
    try (BufferAllocator allocator = new RootAllocator()) {
      Path data = dir.resolve("data");
      Path parquet = data.resolve("bench.parquet");
      Path small = dir.resolve("small.parquet");
      Files.createDirectories(data);
      generate(allocator, parquet, rows);
      generate(allocator, small, lz4Rows);
      Path plain = dir.resolve("plain.arrow");
      Path smallPlain = dir.resolve("small-plain.arrow");
      Path smallLz4 = dir.resolve("small-lz4.arrow");
      long plainWrite = copy(allocator, parquet, plain, null);
      copy(allocator, small, smallPlain, null);
      long lz4Write = copy(allocator, small, smallLz4, CompressionUtil.CodecType.LZ4_FRAME);
      System.out.printf(
          "%d rows: parquet %d bytes, ipc %d bytes, copied at %.0f MB/s%n",
          rows,
          Files.size(parquet),
          Files.size(plain),
          Files.size(plain) / 1e6 / (plainWrite / 1e3));
      System.out.printf(
          "%d rows: parquet %d bytes, ipc %d bytes, ipc+lz4 %d bytes, lz4 copied at %.2f MB/s%n",
          lz4Rows,
          Files.size(small),
          Files.size(smallPlain),
          Files.size(smallLz4),
          Files.size(smallPlain) / 1e6 / (lz4Write / 1e3));
      report("dataset scan, parquet", () -> scan(allocator, parquet, FileFormat.PARQUET));
      report("dataset scan, ipc", () -> scan(allocator, plain, FileFormat.ARROW_IPC));
      report("ArrowFileReader, ipc", () -> fileReader(allocator, plain));
      report("small: dataset scan, ipc", () -> scan(allocator, smallPlain, FileFormat.ARROW_IPC));
      report("small: dataset scan, ipc+lz4", () -> scan(allocator, smallLz4, FileFormat.ARROW_IPC));
      report("small: ArrowFileReader, ipc+lz4", () -> fileReader(allocator, smallLz4));
      doGet(allocator, data);
    } finally {
      ParquetFiles.deleteRecursively(dir);
    }
    return 0;
  }

  private void generate(BufferAllocator allocator, Path file, int count) throws Exception {
    try (ArrowReader generated =
        new GeneratedReader(allocator, SCHEMA, count, batchRows, CacheFormatBench::fill)) {
      ParquetFiles.write(allocator, generated, file);
    }
  }

  private static void fill(VectorSchemaRoot root, long first, int count) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector city = (VarCharVector) root.getVector("city");
    Float8Vector value = (Float8Vector) root.getVector("value");
    id.allocateNew(count);
    city.allocateNew(count * 8L, count);
    value.allocateNew(count);
    for (int i = 0; i < count; i++) {
      long row = first + i;
      id.set(i, row);
      city.setSafe(i, CITIES[(int) (row % CITIES.length)].getBytes(StandardCharsets.UTF_8));
      value.set(i, (row * 7919 % 100_000) / 100.0);
    }
    root.setRowCount(count);
  }

  /** Copies the Parquet file as the cache does; returns the milliseconds it took. */
  private long copy(
      BufferAllocator allocator, Path parquet, Path target, CompressionUtil.CodecType codec)
      throws Exception {
    long start = System.nanoTime();
    FileSystemDatasetFactory factory = ParquetFiles.datasetFactory(allocator, List.of(parquet));
    Dataset dataset = factory.finish();
    Scanner scanner = dataset.newScan(new ScanOptions(batchRows));
    ArrowReader reader = scanner.scanBatches();
    try (FileChannel channel =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ArrowFileWriter writer =
            codec == null
                ? new ArrowFileWriter(reader.getVectorSchemaRoot(), reader, channel)
                : new ArrowFileWriter(
                    reader.getVectorSchemaRoot(),
                    reader,
                    channel,
                    Map.of(),
                    IpcOption.DEFAULT,
                    CommonsCompressionFactory.INSTANCE,
                    codec)) {
      writer.start();
      while (reader.loadNextBatch()) {
        writer.writeBatch();
      }
      writer.end();
      channel.force(true);
    } finally {
      AutoCloseables.close(reader, scanner, dataset, factory);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private interface Read {
    long bytes() throws Exception;
  }

  private void report(String what, Read read) throws Exception {
    long best = Long.MAX_VALUE;
    long bytes = 0;
    for (int run = 0; run < runs; run++) {
      long start = System.nanoTime();
      bytes = read.bytes();
      best = Math.min(best, System.nanoTime() - start);
    }
    System.out.printf(
        "%-28s %8.0f MB/s of Arrow data (%d MB in %d ms)%n",
        what, bytes / 1e6 / (best / 1e9), bytes >> 20, best / 1_000_000);
  }

  private long scan(BufferAllocator allocator, Path file, FileFormat format) throws Exception {
    try (FileSystemDatasetFactory factory =
            new FileSystemDatasetFactory(
                allocator, NativeMemoryPool.getDefault(), format, file.toUri().toString());
        Dataset dataset = factory.finish();
        Scanner scanner = dataset.newScan(new ScanOptions(batchRows));
        ArrowReader reader = scanner.scanBatches()) {
      return drain(reader);
    }
  }

  private static long fileReader(BufferAllocator allocator, Path file) throws Exception {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader reader =
            new ArrowFileReader(channel, allocator, CommonsCompressionFactory.INSTANCE)) {
      return drain(reader);
    }
  }

  private static long drain(ArrowReader reader) throws IOException {
    long bytes = 0;
    VectorSchemaRoot root = reader.getVectorSchemaRoot();
    while (reader.loadNextBatch()) {
      for (FieldVector vector : root.getFieldVectors()) {
        bytes += vector.getBufferSize();
      }
    }
    return bytes;
  }

  /** DoGet of the file from a server without a cache, then from one whose copy is in place. */
  private void doGet(BufferAllocator allocator, Path data) throws Exception {
    Ticket ticket = Tickets.of(DatasetTicket.whole(DatasetName.of("bench.parquet")));
    FlightTelemetry telemetry = FlightTelemetry.create(OpenTelemetry.noop());
    for (long cacheBytes : new long[] {0, 1L << 40}) {
      try (DataServer server =
              DataServer.builder(allocator, telemetry)
                  .location(Location.forGrpcInsecure("127.0.0.1", 0))
                  .dataDir(data)
                  .batchRows(batchRows)
                  .cacheBytes(cacheBytes)
                  .build();
          FlightClient client =
              FlightClient.builder(allocator, server.advertisedLocation()).build()) {
        Read get = () -> drain(client, ticket);
        if (cacheBytes > 0) {
          get.bytes();
          get.bytes(); // the second read copies it
          Path cache = data.resolve(".flight-staging/cache");
          long deadline = System.nanoTime() + 600_000_000_000L;
          while (copies(cache) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
        }
        report(cacheBytes == 0 ? "DoGet, parquet" : "DoGet, hot cache copy", get);
      }
    }
  }

  private static long copies(Path cache) throws IOException {
    if (!Files.isDirectory(cache)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(cache)) {
      return files.filter(file -> file.toString().endsWith(".arrow")).count();
    }
  }

  private static long drain(FlightClient client, Ticket ticket) throws Exception {
    long bytes = 0;
    try (FlightStream stream = client.getStream(ticket)) {
      while (stream.next()) {
        for (FieldVector vector : stream.getRoot().getFieldVectors()) {
          bytes += vector.getBufferSize();
        }
      }
    }
    return bytes;
  }
}
