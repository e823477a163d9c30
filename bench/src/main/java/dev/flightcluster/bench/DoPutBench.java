package dev.flightcluster.bench;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Locations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * B2: DoPut throughput. The batches are preloaded from an Arrow IPC file before anything is timed,
 * so the client's disk never shows in the figure; what is timed ends when the server has
 * acknowledged the whole stream (for a storing server: written it).
 *
 * <p>Every put has its own name, {@code PREFIX-RUN-STREAM.parquet} (warm-up runs: {@code wN}), so
 * concurrent and successive puts never collide; the harness deletes what the server wrote.
 */
@Command(
    name = "doput-bench",
    mixinStandardHelpOptions = true,
    description = "Measures DoPut throughput (Arrow bytes/s and rows/s) over N concurrent streams.")
public final class DoPutBench implements Callable<Integer> {
  @Mixin private CommonOptions common;

  @Option(names = "--source", required = true, description = "Arrow IPC file whose batches to put.")
  private Path source;

  @Option(
      names = "--name-prefix",
      defaultValue = "bench-put",
      description = "Dataset names are PREFIX-RUN-STREAM.parquet.")
  private String namePrefix;

  /** How the client waits while gRPC cannot take another batch. */
  enum ReadyWait {
    /** Arrow Java's own wait inside putNext(): a busy loop on isReady(). */
    SPIN,
    /** Poll isReady() with short sleeps before putNext(), leaving the core to the server. */
    PARK
  }

  @Option(
      names = "--ready-wait",
      defaultValue = "PARK",
      description =
          "SPIN: let putNext() busy-wait for readiness as Arrow Java does; PARK: sleep-poll"
              + " isReady() first (default; on 2 cores a spinning client takes the server's core).")
  private ReadyWait readyWait;

  /** Sleep between readiness polls: well under the time gRPC takes to drain one batch. */
  private static final long PARK_NANOS = 20_000;

  @Override
  public Integer call() throws Exception {
    common.validate();
    Location location = Locations.parse(common.location);
    List<BenchReport.Run> runs = new ArrayList<>();
    int warmups = 0;
    List<AutoCloseable> resources = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      try {
        BufferAllocator datasetAllocator =
            allocator.newChildAllocator("dataset", 0, Long.MAX_VALUE);
        resources.add(datasetAllocator);
        PreloadedDataset dataset = PreloadedDataset.load(datasetAllocator, source);
        resources.add(dataset);
        List<FlightClient> clients = new ArrayList<>();
        List<BufferAllocator> streamAllocators = new ArrayList<>();
        for (int i = 0; i < common.streams; i++) {
          BufferAllocator child = allocator.newChildAllocator("stream-" + i, 0, Long.MAX_VALUE);
          resources.add(child);
          streamAllocators.add(child);
          FlightClient client = FlightClient.builder(child, location).build();
          resources.add(client);
          clients.add(client);
        }
        try (var concurrent = new ConcurrentRuns(common.streams, common.timeoutSeconds)) {
          long warmupStart = System.nanoTime();
          while (common.warmingUp(warmups, warmupStart)) {
            putRun(concurrent, clients, streamAllocators, dataset, "w" + warmups);
            warmups++;
          }
          for (int run = 0; run < common.runs; run++) {
            runs.add(putRun(concurrent, clients, streamAllocators, dataset, Integer.toString(run)));
          }
        }
      } finally {
        AutoCloseables.close(resources.reversed());
      }
    }
    new BenchReport(
            "java-doput", "doput", common.location, namePrefix, common.streams, warmups, runs)
        .write(common.output);
    return 0;
  }

  private BenchReport.Run putRun(
      ConcurrentRuns concurrent,
      List<FlightClient> clients,
      List<BufferAllocator> allocators,
      PreloadedDataset dataset,
      String runLabel)
      throws Exception {
    return concurrent.run(
        stream ->
            putAll(
                clients.get(stream),
                allocators.get(stream),
                dataset,
                DatasetName.of(namePrefix + "-" + runLabel + "-" + stream + ".parquet")));
  }

  private StreamTotals putAll(
      FlightClient client, BufferAllocator allocator, PreloadedDataset dataset, DatasetName name) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(dataset.schema(), allocator)) {
      VectorLoader loader = new VectorLoader(root);
      var ack = new AsyncPutListener();
      FlightClient.ClientStreamListener listener =
          client.startPut(
              Descriptors.of(name),
              root,
              dataset.dictionaries(),
              ack,
              CallOptions.timeout(common.timeoutSeconds, TimeUnit.SECONDS));
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(common.timeoutSeconds);
        for (ArrowRecordBatch batch : dataset.batches()) {
          loader.load(batch);
          if (readyWait == ReadyWait.PARK) {
            while (!listener.isReady() && !ack.isCancelled() && System.nanoTime() < deadline) {
              LockSupport.parkNanos(PARK_NANOS);
            }
          }
          // Busy-waits (Arrow Java) for whatever readiness is still missing.
          listener.putNext();
        }
        listener.completed();
      } catch (RuntimeException e) {
        listener.error(e);
        throw e;
      }
      ack.getResult();
    }
    return new StreamTotals(dataset.rows(), dataset.arrowBytes(), dataset.batches().size());
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new DoPutBench()).execute(args));
  }
}
