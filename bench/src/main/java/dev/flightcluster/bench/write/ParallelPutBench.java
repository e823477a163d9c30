package dev.flightcluster.bench.write;

import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.client.ParallelPutOptions;
import dev.flightcluster.client.ParallelPutResult;
import dev.flightcluster.client.ProgressListener;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.server.DataServer;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * B7: parallel put throughput. One coordinator and N data servers in this JVM, each on its own
 * temporary data dir; a generated table is put with {@code putDataset} to 1 server and then to N,
 * and the Arrow bytes per second of each are printed. Every run writes a new dataset; the data dirs
 * are deleted at the end.
 */
@Command(
    name = "parallel-put-bench",
    mixinStandardHelpOptions = true,
    description =
        "Parallel put (putDataset) throughput over 1 server against N servers, in one JVM.")
public final class ParallelPutBench implements Callable<Integer> {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("city", ArrowType.Utf8.INSTANCE),
              Field.nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));

  @Option(names = "--rows", defaultValue = "4000000", description = "Rows per put.")
  private long rows;

  @Option(names = "--batch-rows", defaultValue = "65536", description = "Rows per batch.")
  private int batchRows;

  @Option(names = "--servers", defaultValue = "3", description = "Servers of the parallel run.")
  private int servers;

  @Option(names = "--replicas", defaultValue = "1", description = "Replicas of each shard.")
  private int replicas;

  @Option(names = "--shard-size", defaultValue = "33554432", description = "Shard size, bytes.")
  private long shardBytes;

  @Option(
      names = "--runs",
      defaultValue = "2",
      description = "Timed runs per setup (after one warm-up).")
  private int runs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ParallelPutBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf(
        "rows=%,d batch=%,d shard=%,d bytes replicas=%d%n", rows, batchRows, shardBytes, replicas);
    measure(Math.max(1, replicas), "one server (R servers when R > 1)");
    measure(servers, servers + " servers");
    return 0;
  }

  private void measure(int serverCount, String label) throws Exception {
    FlightTelemetry telemetry = FlightTelemetry.create(OpenTelemetry.noop());
    Path root = Files.createTempDirectory("parallel-put-bench");
    List<BufferAllocator> allocators = new ArrayList<>();
    List<DataServer> started = new ArrayList<>();
    BufferAllocator coordinatorAllocator = new RootAllocator();
    BufferAllocator clientAllocator = new RootAllocator();
    try (Coordinator coordinator =
        Coordinator.builder(coordinatorAllocator, telemetry)
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .build()
            .start()) {
      Location at = Location.forGrpcInsecure("127.0.0.1", coordinator.port());
      for (int i = 0; i < serverCount; i++) {
        BufferAllocator allocator = new RootAllocator();
        allocators.add(allocator);
        started.add(
            DataServer.builder(allocator, telemetry)
                .location(Location.forGrpcInsecure("127.0.0.1", 0))
                .dataDir(Files.createDirectories(root.resolve("server-" + i)))
                .serverId("server-" + i)
                .coordinators(List.of(at))
                .build()
                .start());
      }
      while (!coordinator.isWarm()
          || started.stream().anyMatch(s -> s.registeredWith().isEmpty())) {
        Thread.onSpinWait();
      }
      try (FlightClusterClient client =
          FlightClusterClient.builder(clientAllocator, telemetry, at).build()) {
        for (int run = 0; run <= runs; run++) {
          ParallelPutResult result;
          try (ArrowReader reader = new GeneratedTable(clientAllocator, rows, batchRows)) {
            result =
                client.putDataset(
                    "bench-" + run,
                    reader,
                    ParallelPutOptions.defaults().withReplicas(replicas).withShardBytes(shardBytes),
                    ProgressListener.none());
          }
          System.out.printf(
              "%-28s %s: %.2f s, %.1f MB/s of Arrow data (x%d replicas stored), %d shards%n",
              label,
              run == 0 ? "warm-up" : "run " + run,
              result.seconds(),
              result.bytes() / 1e6 / result.seconds(),
              replicas,
              result.shards());
        }
      }
    } finally {
      for (DataServer server : started) {
        server.close();
      }
      for (BufferAllocator allocator : allocators) {
        allocator.close();
      }
      clientAllocator.close();
      coordinatorAllocator.close();
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** The bench table, generated batch by batch. */
  private static final class GeneratedTable extends ArrowReader {
    private final long rows;
    private final int batchRows;
    private long produced;

    GeneratedTable(BufferAllocator allocator, long rows, int batchRows) {
      super(allocator);
      this.rows = rows;
      this.batchRows = batchRows;
    }

    @Override
    public boolean loadNextBatch() throws java.io.IOException {
      if (produced >= rows) {
        return false;
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      int count = (int) Math.min(batchRows, rows - produced);
      root.allocateNew();
      BigIntVector id = (BigIntVector) root.getVector("id");
      VarCharVector city = (VarCharVector) root.getVector("city");
      Float8Vector value = (Float8Vector) root.getVector("value");
      for (int i = 0; i < count; i++) {
        long row = produced + i;
        id.setSafe(i, row);
        city.setSafe(i, ("city-" + (row % 1000)).getBytes(StandardCharsets.UTF_8));
        value.setSafe(i, row * 0.5);
      }
      root.setRowCount(count);
      produced += count;
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    @Override
    protected Schema readSchema() {
      return SCHEMA;
    }
  }
}
