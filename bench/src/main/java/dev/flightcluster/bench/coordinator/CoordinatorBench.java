package dev.flightcluster.bench.coordinator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.otel.TracedFlightClient;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark B3, the coordinator: a real {@code Coordinator} in this JVM with S simulated data
 * servers registered over the real protocol (say_hello, ListFlights callback, heartbeats), measured
 * from a client on its own channel. For every (S, D) it reports GetFlightInfo latency at
 * closed-loop full speed and at fixed open-loop rates, the largest rate held with p99 within a
 * bound, and the latency of a full ListFlights; then it checks the targets. One JSON document goes
 * to standard output (or --output); progress and logs go to standard error.
 *
 * <p>The numbers are only meaningful next to the machine load recorded with each configuration:
 * client, coordinator and servers share this JVM and its cores.
 */
@Command(
    name = "coordinator-bench",
    mixinStandardHelpOptions = true,
    description = "B3: GetFlightInfo and ListFlights latency of an in-process coordinator.")
public final class CoordinatorBench implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  @Option(
      names = "--servers",
      split = ",",
      defaultValue = "1,10,100",
      description = "Simulated data servers S.")
  List<Integer> servers;

  @Option(
      names = "--datasets",
      split = ",",
      defaultValue = "1,100,10000",
      description = "Datasets D.")
  List<Integer> datasets;

  @Option(
      names = "--threads",
      split = ",",
      defaultValue = "1,4",
      description = "Closed-loop client threads.")
  List<Integer> threads;

  @Option(
      names = "--rates",
      split = ",",
      defaultValue = "250,500,1000,2000,4000",
      description = "Open-loop GetFlightInfo rates, requests per second, ascending.")
  List<Integer> rates;

  @Option(
      names = "--rate-seconds",
      defaultValue = "5",
      description = "Length of each open-loop run.")
  double rateSeconds;

  @Option(
      names = "--closed-seconds",
      defaultValue = "3",
      description = "Length of each closed-loop run.")
  double closedSeconds;

  @Option(
      names = "--closed-max-requests",
      defaultValue = "1000000",
      description = "Upper bound on the requests of one closed-loop run.")
  long closedMaxRequests;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "2",
      description =
          "Closed-loop GetFlightInfo before measuring each configuration (JIT, connections).")
  double warmupSeconds;

  @Option(
      names = "--open-loop-workers",
      defaultValue = "16",
      description = "Threads sending the open-loop requests: the most requests in flight at once.")
  int openLoopWorkers;

  @Option(
      names = "--held-p99-ms",
      defaultValue = "5",
      description = "A rate is held when every request is answered and p99 is within this.")
  double heldP99Millis;

  @Option(
      names = "--all-rates",
      description = "Run every rate even after one was not held (default: skip the higher ones).")
  boolean allRates;

  @Option(
      names = "--busy-cores",
      defaultValue = "0.5",
      description =
          "A rate missed while other processes used more cores than this is run once more, after"
              + " waiting up to --quiet-wait-seconds for a quieter second; both attempts are reported.")
  double busyCores;

  @Option(names = "--quiet-wait-seconds", defaultValue = "10", description = "See --busy-cores.")
  double quietWaitSeconds;

  @Option(
      names = "--list-calls",
      defaultValue = "30",
      description = "Most ListFlights calls per configuration.")
  int listCalls;

  @Option(
      names = "--list-seconds",
      defaultValue = "5",
      description =
          "Time budget for the ListFlights calls of one configuration (at least 3 are made).")
  double listSeconds;

  @Option(
      names = "--tracing",
      defaultValue = "SDK",
      description =
          "SDK (what production runs: spans recorded, batched, exported to a counter) or NOOP.")
  BenchTelemetry.Mode tracing;

  @Option(names = "--lease-ms", defaultValue = "10000", description = "The coordinator's lease.")
  long leaseMillis;

  @Option(
      names = "--heartbeat-interval-ms",
      defaultValue = "2000",
      description = "Heartbeat interval the coordinator asks for; the simulated servers keep it.")
  long heartbeatIntervalMillis;

  @Option(
      names = "--target-datasets",
      defaultValue = "10000",
      description = "D the targets are about.")
  int targetDatasets;

  @Option(
      names = "--target-rate",
      defaultValue = "1000",
      description = "Rate of the GetFlightInfo target.")
  int targetRate;

  @Option(
      names = "--target-p99-ms",
      defaultValue = "2",
      description = "GetFlightInfo p99 target at --target-rate.")
  double targetP99Millis;

  @Option(names = "--target-list-ms", defaultValue = "100", description = "ListFlights p99 target.")
  double targetListMillis;

  @Option(
      names = "--quick",
      description =
          "One small configuration (2 servers, 100 datasets) and a few hundred requests, to prove"
              + " the bench works; exits 1 on any error or wrong answer.")
  boolean quick;

  @Option(names = "--output", description = "Write the JSON here instead of standard output.")
  Path output;

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new CoordinatorBench())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (quick) {
      servers = List.of(2);
      datasets = List.of(100);
      threads = List.of(1);
      rates = List.of(500);
      rateSeconds = 0.5;
      closedSeconds = 2;
      closedMaxRequests = 300;
      warmupSeconds = 0.5;
      listCalls = 5;
      listSeconds = 2;
    }
    validate();
    Instant started = Instant.now();
    List<ConfigResult> results = new ArrayList<>();
    try (BufferAllocator root = new RootAllocator()) {
      for (int s : servers) {
        for (int d : datasets) {
          results.add(runConfig(root, s, d));
        }
      }
    }
    Report report =
        new Report(
            "B3-coordinator",
            started.toString(),
            Duration.between(started, Instant.now()).toMillis() / 1000.0,
            quick,
            environment(),
            options(),
            results,
            verdicts(results));
    write(report);
    boolean broken = results.stream().anyMatch(result -> !result.problems().isEmpty());
    return broken ? 1 : 0;
  }

  private ConfigResult runConfig(BufferAllocator root, int serverCount, int datasetCount)
      throws IOException, InterruptedException {
    progress("S=%d D=%d: registering", serverCount, datasetCount);
    BenchDatasets data = new BenchDatasets(datasetCount, serverCount);
    List<String> problems = new ArrayList<>();
    // Start each configuration from a collected heap, so that one does not pay for another's
    // garbage.
    System.gc();
    MachineLoad load = MachineLoad.start();
    try (GcPauses gc = GcPauses.start();
        BenchTelemetry coordinatorTelemetry = BenchTelemetry.create(tracing, "coordinator");
        BenchTelemetry clientTelemetry = BenchTelemetry.create(tracing, "bench-client");
        SimulatedCluster cluster =
            SimulatedCluster.start(
                root,
                coordinatorTelemetry.flightTelemetry(),
                data,
                serverCount,
                Duration.ofMillis(leaseMillis),
                Duration.ofMillis(heartbeatIntervalMillis));
        BufferAllocator clientAllocator = root.newChildAllocator("client", 0, Long.MAX_VALUE);
        TracedFlightClient client =
            clientTelemetry.flightTelemetry().connect(clientAllocator, cluster.location())) {
      sanityCheck(root, clientTelemetry, cluster, data, problems);

      LoadGenerator generator = new LoadGenerator(client.flightClient(), data, 2_000_000);
      progress("S=%d D=%d: warming up", serverCount, datasetCount);
      generator.closedLoop(1, seconds(warmupSeconds), closedMaxRequests);
      measureListFlights(client.flightClient(), data, 2, 60, new ArrayList<>());

      List<LoadGenerator.ClosedLoopResult> closed = new ArrayList<>();
      for (int t : threads) {
        progress("S=%d D=%d: closed loop, %d threads", serverCount, datasetCount, t);
        LoadGenerator.ClosedLoopResult result =
            generator.closedLoop(t, seconds(closedSeconds), closedMaxRequests);
        closed.add(result);
        if (result.errors() > 0 || result.badAnswers() > 0) {
          problems.add(
              "closed loop "
                  + t
                  + " threads: "
                  + result.errors()
                  + " errors, "
                  + result.badAnswers()
                  + " wrong answers");
        }
      }

      List<LoadGenerator.OpenLoopResult> open = new ArrayList<>();
      List<Integer> skipped = new ArrayList<>();
      Integer maxHeld = null;
      boolean missed = false;
      for (int rate : rates) {
        if (missed && !allRates) {
          skipped.add(rate);
          continue;
        }
        progress("S=%d D=%d: open loop, %d req/s", serverCount, datasetCount, rate);
        LoadGenerator.OpenLoopResult result =
            generator.openLoop(rate, seconds(rateSeconds), openLoopWorkers, heldP99Millis, 1);
        open.add(result);
        if (!result.held() && result.otherCores() > busyCores && !quick) {
          boolean quiet = MachineLoad.awaitQuiet(busyCores, seconds(quietWaitSeconds));
          progress(
              "S=%d D=%d: %d req/s missed while others used %.2f cores; again (%s)",
              serverCount,
              datasetCount,
              rate,
              result.otherCores(),
              quiet ? "quieter now" : "still busy");
          result =
              generator.openLoop(rate, seconds(rateSeconds), openLoopWorkers, heldP99Millis, 2);
          open.add(result);
        }
        if (result.held() && !missed) {
          maxHeld = rate;
        } else {
          missed = true;
        }
        if (result.errors() > 0 || result.badAnswers() > 0) {
          problems.add(
              "open loop "
                  + rate
                  + " req/s: "
                  + result.errors()
                  + " errors, "
                  + result.badAnswers()
                  + " wrong answers");
        }
      }

      progress("S=%d D=%d: ListFlights", serverCount, datasetCount);
      ListResult list =
          measureListFlights(client.flightClient(), data, listCalls, listSeconds, problems)
              .withServerSpans(coordinatorTelemetry.listFlightsServerSpans());

      Cluster clusterStats =
          new Cluster(
              round1(cluster.registrationMillis()),
              cluster.heartbeatsSent(),
              cluster.heartbeatFailures(),
              cluster.rehellos());
      if (cluster.heartbeatFailures() > 0 || cluster.rehellos() > 0) {
        problems.add(
            "heartbeats: "
                + cluster.heartbeatFailures()
                + " failed, "
                + cluster.rehellos()
                + " servers forgotten");
      }
      return new ConfigResult(
          serverCount,
          datasetCount,
          data.replicated(),
          clusterStats,
          new GetFlightInfoResult(closed, open, skipped, maxHeld),
          list,
          new Spans(coordinatorTelemetry.exportedSpans(), clientTelemetry.exportedSpans()),
          load.stop(),
          gc.summary(),
          problems);
    }
  }

  /** Asks as a real client would (the client library), before any measuring. */
  private void sanityCheck(
      BufferAllocator root,
      BenchTelemetry telemetry,
      SimulatedCluster cluster,
      BenchDatasets data,
      List<String> problems) {
    try (FlightClusterClient clusterClient =
        FlightClusterClient.builder(root, telemetry.flightTelemetry(), cluster.location())
            .build()) {
      int listed = clusterClient.list("").size();
      if (listed != data.count()) {
        problems.add(
            "sanity: the coordinator lists " + listed + " datasets, expected " + data.count());
      }
      int last = data.count() - 1;
      for (int i : new int[] {0, last}) {
        FlightInfo info = clusterClient.info(data.name(i));
        int locations = info.getEndpoints().get(0).getLocations().size();
        if (locations != data.holders(i)) {
          problems.add(
              "sanity: "
                  + data.name(i)
                  + " has "
                  + locations
                  + " locations, expected "
                  + data.holders(i));
        }
      }
    } catch (FlightRuntimeException e) {
      problems.add("sanity: " + e);
    }
  }

  private ListResult measureListFlights(
      FlightClient client,
      BenchDatasets data,
      int calls,
      double budgetSeconds,
      List<String> problems) {
    LatencySamples samples = new LatencySamples(calls);
    MachineLoad load = MachineLoad.start();
    long deadline = System.nanoTime() + (long) (budgetSeconds * 1e9);
    long errors = 0;
    long wrongCounts = 0;
    for (int n = 0; n < calls && (n < 3 || System.nanoTime() < deadline); n++) {
      long t0 = System.nanoTime();
      try {
        int count = 0;
        for (FlightInfo ignored :
            client.listFlights(Criteria.ALL, CallOptions.timeout(60, TimeUnit.SECONDS))) {
          count++;
        }
        samples.add(System.nanoTime() - t0);
        if (count != data.count()) {
          wrongCounts++;
        }
      } catch (FlightRuntimeException e) {
        errors++;
      }
    }
    if (errors > 0 || wrongCounts > 0) {
      problems.add(
          "ListFlights: " + errors + " errors, " + wrongCounts + " listings of the wrong size");
    }
    return new ListResult(data.count(), errors, samples.summary(), load.stop().otherCores(), null);
  }

  private List<Verdict> verdicts(List<ConfigResult> results) {
    List<Verdict> verdicts = new ArrayList<>();
    for (ConfigResult result : results) {
      if (result.datasets() != targetDatasets) {
        continue;
      }
      LoadGenerator.OpenLoopResult atRate =
          result.getFlightInfo().openLoop().stream()
              .filter(run -> run.rateRps() == targetRate)
              .reduce((first, second) -> second)
              .orElse(null);
      String getTarget =
          String.format(
              "GetFlightInfo p99 <= %s ms at %d req/s, %d datasets",
              fmt(targetP99Millis), targetRate, targetDatasets);
      if (atRate == null) {
        verdicts.add(
            new Verdict(
                getTarget,
                result.servers(),
                null,
                false,
                "not measured: a lower rate was not held"));
      } else {
        boolean met =
            atRate.completed() == atRate.scheduled()
                && atRate.latencyUs().p99() <= targetP99Millis * 1000;
        verdicts.add(
            new Verdict(
                getTarget,
                result.servers(),
                atRate.latencyUs().p99(),
                met,
                "p99 in microseconds, attempt "
                    + atRate.attempt()
                    + ", other processes used "
                    + atRate.otherCores()
                    + " cores"));
      }
      double listP99 = result.listFlights().latencyUs().p99();
      verdicts.add(
          new Verdict(
              String.format(
                  "ListFlights of %d datasets p99 <= %s ms", targetDatasets, fmt(targetListMillis)),
              result.servers(),
              listP99,
              result.listFlights().errors() == 0 && listP99 <= targetListMillis * 1000,
              "p99 in microseconds, p50 "
                  + result.listFlights().latencyUs().p50()
                  + ", other processes used "
                  + result.listFlights().otherCores()
                  + " cores"));
    }
    return verdicts;
  }

  private void validate() {
    if (servers.stream().anyMatch(s -> s < 1)
        || datasets.stream().anyMatch(d -> d < 1)
        || threads.stream().anyMatch(t -> t < 1)
        || rates.stream().anyMatch(r -> r < 1)
        || rateSeconds <= 0
        || closedSeconds <= 0
        || warmupSeconds < 0
        || openLoopWorkers < 1
        || listCalls < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "counts, rates and durations must be positive");
    }
  }

  private Environment environment() {
    return new Environment(
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + Runtime.version(),
        ManagementFactory.getRuntimeMXBean().getInputArguments(),
        Runtime.getRuntime().maxMemory() / (1024 * 1024));
  }

  private Options options() {
    return new Options(
        servers,
        datasets,
        threads,
        rates,
        rateSeconds,
        closedSeconds,
        closedMaxRequests,
        warmupSeconds,
        openLoopWorkers,
        heldP99Millis,
        allRates,
        busyCores,
        quietWaitSeconds,
        listCalls,
        listSeconds,
        tracing.name().toLowerCase(),
        leaseMillis,
        heartbeatIntervalMillis);
  }

  private void write(Report report) throws IOException {
    if (output != null) {
      try (OutputStream out = Files.newOutputStream(output)) {
        JSON.writeValue(out, report);
      }
      return;
    }
    System.out.println(JSON.writeValueAsString(report));
    System.out.flush();
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  private static double round1(double value) {
    return LoadGenerator.round(value, 1);
  }

  private static String fmt(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static void progress(String format, Object... args) {
    System.err.printf(
        "[coordinator-bench %tT] %s%n", System.currentTimeMillis(), String.format(format, args));
  }

  record Report(
      String benchmark,
      String startedAt,
      double totalSeconds,
      boolean quick,
      Environment environment,
      Options options,
      List<ConfigResult> configs,
      List<Verdict> targets) {}

  record Environment(int cores, String jvm, List<String> jvmArguments, long maxHeapMib) {}

  record Options(
      List<Integer> servers,
      List<Integer> datasets,
      List<Integer> threads,
      List<Integer> ratesRps,
      double rateSeconds,
      double closedSeconds,
      long closedMaxRequests,
      double warmupSeconds,
      int openLoopWorkers,
      double heldP99Ms,
      boolean allRates,
      double busyCores,
      double quietWaitSeconds,
      int listCalls,
      double listSeconds,
      String tracing,
      long leaseMs,
      long heartbeatIntervalMs) {}

  /**
   * @param replicatedDatasets datasets held by two servers (the rest by one)
   * @param problems errors and wrong answers; the run exits 1 when any configuration has one
   */
  record ConfigResult(
      int servers,
      int datasets,
      int replicatedDatasets,
      Cluster cluster,
      GetFlightInfoResult getFlightInfo,
      ListResult listFlights,
      Spans spans,
      MachineLoad.Sample load,
      GcPauses.Summary gc,
      List<String> problems) {}

  /**
   * @param registrationMs every say_hello, one after another, each with its ListFlights callback
   * @param rehellos heartbeats answered known=false (the coordinator forgot a server): should be 0
   */
  record Cluster(double registrationMs, long heartbeats, long heartbeatFailures, long rehellos) {}

  /**
   * @param skippedRates rates not run because a lower one was not held
   * @param maxRateHeldRps the largest rate held, all lower ones held too; null when none
   */
  record GetFlightInfoResult(
      List<LoadGenerator.ClosedLoopResult> closedLoop,
      List<LoadGenerator.OpenLoopResult> openLoop,
      List<Integer> skippedRates,
      Integer maxRateHeldRps) {}

  /**
   * Full listings, every FlightInfo drained; latency from the call to the last info.
   *
   * @param serverSpanUs the coordinator's ListFlights server spans (warm-up calls included): how
   *     long the coordinator took to hand every info to gRPC; null without tracing
   */
  record ListResult(
      int infosPerCall,
      long errors,
      LatencySamples.Summary latencyUs,
      double otherCores,
      LatencySamples.Summary serverSpanUs) {
    ListResult withServerSpans(LatencySamples.Summary spans) {
      return new ListResult(infosPerCall, errors, latencyUs, otherCores, spans);
    }
  }

  /** Spans exported by each side during the configuration (0 without an SDK). */
  record Spans(long coordinator, long client) {}

  record Verdict(String target, int servers, Double measuredUs, boolean met, String note) {}
}
