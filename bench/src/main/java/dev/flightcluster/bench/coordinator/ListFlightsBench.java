package dev.flightcluster.bench.coordinator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flightcluster.otel.TracedFlightClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * ListFlights of many datasets (issue 15's target: 10,000 in at most 100 ms with a pyarrow client):
 * a real coordinator in this JVM with simulated data servers (as {@link CoordinatorBench}), timed
 * with Flight's Java client; then, with {@code --serve-seconds}, it prints {@code LISTENING
 * <location>} and keeps the coordinator up so that another client (bench/py/list_flights.py) can be
 * timed against the same catalog.
 */
@Command(
    name = "ListFlightsBench",
    mixinStandardHelpOptions = true,
    description = "Times ListFlights of D datasets with the Java client, then serves them.")
public final class ListFlightsBench implements Callable<Integer> {
  @Option(names = "--datasets", defaultValue = "10000", description = "D, datasets listed.")
  int datasets;

  @Option(names = "--servers", defaultValue = "1", description = "Simulated data servers.")
  int servers;

  @Option(names = "--calls", defaultValue = "20", description = "Measured calls.")
  int calls;

  @Option(names = "--warmup-calls", defaultValue = "10", description = "Unmeasured calls first.")
  int warmupCalls;

  @Option(
      names = "--serve-seconds",
      defaultValue = "0",
      description = "After measuring, serve the catalog this long (0: exit at once).")
  long serveSeconds;

  @Option(names = "--output", required = true, description = "Where the JSON goes.")
  Path output;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ListFlightsBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BenchDatasets data = new BenchDatasets(datasets, servers);
    try (BufferAllocator root = new RootAllocator();
        BenchTelemetry telemetry = BenchTelemetry.create(BenchTelemetry.Mode.NOOP, "coordinator");
        BenchTelemetry clientTelemetry =
            BenchTelemetry.create(BenchTelemetry.Mode.NOOP, "bench-client");
        SimulatedCluster cluster =
            SimulatedCluster.start(
                root,
                telemetry.flightTelemetry(),
                data,
                servers,
                Duration.ofSeconds(30),
                Duration.ofSeconds(3));
        BufferAllocator clientAllocator = root.newChildAllocator("client", 0, Long.MAX_VALUE);
        TracedFlightClient client =
            clientTelemetry.flightTelemetry().connect(clientAllocator, cluster.location())) {
      for (int i = 0; i < warmupCalls; i++) {
        list(client, data.count());
      }
      List<Double> totalMs = new ArrayList<>();
      List<Double> firstMs = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        double[] times = list(client, data.count());
        firstMs.add(times[0]);
        totalMs.add(times[1]);
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("datasets", data.count());
      report.put("servers", servers);
      report.put("calls", calls);
      report.put("warmup_calls", warmupCalls);
      report.put("ms", totalMs);
      report.put("first_message_ms", firstMs);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(Files.newOutputStream(output), report);
      if (serveSeconds > 0) {
        System.out.println("LISTENING " + cluster.location().getUri());
        System.out.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(serveSeconds));
      }
    }
    return 0;
  }

  /** One listing: milliseconds to the first info and to the end. */
  private static double[] list(TracedFlightClient client, int expected) {
    long start = System.nanoTime();
    long first = 0;
    int count = 0;
    for (FlightInfo ignored :
        client
            .flightClient()
            .listFlights(Criteria.ALL, CallOptions.timeout(120, TimeUnit.SECONDS))) {
      if (count++ == 0) {
        first = System.nanoTime();
      }
    }
    long end = System.nanoTime();
    if (count != expected) {
      throw new IllegalStateException("listed " + count + " datasets, expected " + expected);
    }
    return new double[] {(first - start) / 1e6, (end - start) / 1e6};
  }
}
