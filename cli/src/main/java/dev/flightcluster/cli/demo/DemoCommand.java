package dev.flightcluster.cli.demo;

import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.Main;
import dev.flightcluster.cli.UntilStopped;
import dev.flightcluster.cli.client.ClientSession;
import dev.flightcluster.cli.client.DatasetListing;
import dev.flightcluster.cli.client.ListAndGetAll;
import dev.flightcluster.cli.tls.ClientTlsOptions;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flight-cluster demo}: a whole cluster on this machine. Writes sample datasets if needed
 * (see {@link DemoData} for the layout), starts a coordinator and two data servers as child
 * processes on free ports of 127.0.0.1, waits until the coordinator lists every dataset, runs
 * {@code list-and-get-all} in this process, prints its trace as a waterfall (collected from all
 * three processes over OTLP, see {@link DemoTracing}) and the results, and stops the children (also
 * on Ctrl-C).
 */
@Command(
    name = "demo",
    description = {
      "Runs a coordinator and two data servers as child processes on 127.0.0.1, with sample"
          + " datasets (one replicated on both servers), then lists and reads every dataset under"
          + " one trace.",
      "Prints the trace as a waterfall: every process exports its spans over OTLP to a receiver"
          + " in the demo, which also forwards them to OTEL_EXPORTER_OTLP_ENDPOINT when that is set.",
      "Child output goes to DIR/logs/. Stops everything on exit or Ctrl-C."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:FLIGHT_DATASET_DIR:-./flight_datasets}",
      paramLabel = "DIR",
      description = "Where the demo keeps server-1/, server-2/ and logs/ (env FLIGHT_DATASET_DIR).")
  Path dataDir;

  @Option(
      names = "--rows",
      defaultValue = "1000000",
      paramLabel = "ROWS",
      description = "Rows per generated sample dataset (only when a server dir holds no data).")
  long rows;

  @Option(
      names = "--startup-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "How long to wait for the coordinator to list every dataset.")
  Duration startupTimeout;

  @Option(
      names = "--keep-running",
      description =
          "Keep the cluster running after the run, until Ctrl-C, to try other commands on it.")
  boolean keepRunning;

  @Option(
      names = "--secure",
      description =
          "TLS, users and tokens: writes what keys init writes (a CA, a certificate for 127.0.0.1,"
              + " a token key pair), a users file and a generated password into DIR/secure/, and"
              + " prints how to connect with them (pyarrow included). Not with --tls-*.")
  boolean secure;

  /** With --tls-cert and --tls-key every child serves TLS; --tls-ca is what they all trust. */
  @Mixin ClientTlsOptions tlsOptions;

  private TlsSettings tls = TlsSettings.plaintext();

  @Override
  public Integer call() throws Exception {
    if (rows < 1) {
      throw new ParameterException(spec.commandLine(), "--rows must be positive, not " + rows);
    }
    if (secure && !tlsOptions.arguments().isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--secure makes its own certificates; drop the --tls-* options");
    }
    tls = tlsOptions.settings(spec);
    PrintWriter out = spec.commandLine().getOut();
    DemoData demo = new DemoData(dataDir.toAbsolutePath().normalize());
    try (BufferAllocator allocator = new RootAllocator()) {
      demo.ensure(allocator, ParquetFiles::write, rows, SampleData.DEFAULT_BATCH_ROWS, out);
    }
    List<String> expected = demo.expectedDatasets();

    SecureDemo secrets =
        secure ? SecureDemo.create(demo.logsDir().resolveSibling("secure"), Instant.now()) : null;
    if (secrets != null) {
      tls = secrets.clientTls();
    }
    DemoTracing tracing = DemoTracing.start();
    ChildProcesses children = new ChildProcesses(Duration.ofSeconds(10));
    Thread stopChildren = new Thread(children::close, "demo-stop-children");
    Runtime.getRuntime().addShutdownHook(stopChildren);
    try {
      Location coordinator = startCluster(demo, children, tracing, out, secrets);
      int exitCode;
      try (ClientSession session =
          ClientSession.open(
              List.of(coordinator),
              builder -> {
                builder.tls(tls);
                if (secrets != null) {
                  secrets.configure(builder);
                }
              },
              tracing.exportProperties())) {
        List<FlightInfo> listed = awaitDatasets(session, children, expected, demo);
        out.println();
        out.print(DatasetListing.table(listed));
        out.println();
        out.flush();
        ListAndGetAll.Outcome outcome = ListAndGetAll.run(session.client(), session.tracer());
        // The client's spans now, not after the SDK's schedule delay.
        session.telemetry().flush();
        boolean traced = session.telemetry().enabled();
        tracing.printTrace(out, outcome, traced);
        out.println();
        out.print(outcome.render());
        if (traced && outcome.sampled()) {
          tracing.printWhereToLook(out, outcome.traceId());
        }
        out.flush();
        exitCode = outcome.table().failures() == 0 ? 0 : 1;
        if (secrets != null) {
          out.print(secrets.howToConnect(coordinator.getUri().toString()));
          out.flush();
        }
      }
      if (keepRunning) {
        tracing.stopKeepingSpans();
        out.printf(
            "%nThe cluster keeps running; try:%n  %s./flight-cluster client --coordinator %s%s list%n"
                + "Press Ctrl-C to stop.%n",
            secrets == null ? "" : secrets.passwordVariable() + " ",
            coordinator.getUri(),
            clientArguments(secrets).stream()
                .map(argument -> " " + argument)
                .reduce("", String::concat));
        out.flush();
        UntilStopped untilStopped = new UntilStopped();
        untilStopped.register(children);
        untilStopped.await();
      }
      return exitCode;
    } finally {
      children.close();
      // After the children: their last spans still reach the receiver and get forwarded.
      tracing.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopChildren);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running already, or has.
      }
    }
  }

  private Location startCluster(
      DemoData demo,
      ChildProcesses children,
      DemoTracing tracing,
      PrintWriter out,
      SecureDemo secrets)
      throws Exception {
    // The coordinator's Flight and HTTP ports, then one per server.
    List<Integer> ports = FreePorts.pick(2 + DemoData.SERVERS.size());
    String scheme = tls.serving() || secrets != null ? "grpc+tls" : "grpc";
    String coordinatorUri = scheme + "://127.0.0.1:" + ports.get(0);
    children.start(
        "coordinator",
        JavaCommand.of(
            Main.class.getName(),
            withSecrets(
                withTls(
                    List.of(
                        "coordinator",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        ports.get(0).toString(),
                        "--http-port",
                        ports.get(1).toString())),
                secrets == null ? List.of() : secrets.coordinatorArgs())),
        childEnvironment(tracing),
        demo.logsDir().resolve("coordinator.log"),
        1);
    out.printf(
        "started coordinator at %s (log: %s)%n",
        coordinatorUri, demo.logsDir().resolve("coordinator.log"));
    out.printf("status page: http://127.0.0.1:%d/%n", ports.get(1));
    for (int i = 0; i < DemoData.SERVERS.size(); i++) {
      String id = DemoData.SERVERS.get(i);
      String port = ports.get(i + 2).toString();
      Path log = demo.logsDir().resolve(id + ".log");
      children.start(
          id,
          JavaCommand.of(
              Main.class.getName(),
              withSecrets(
                  withTls(
                      List.of(
                          "server",
                          "--host",
                          "127.0.0.1",
                          "--port",
                          port,
                          "--advertise",
                          scheme + "://127.0.0.1:" + port,
                          "--server-id",
                          id,
                          "--data-dir",
                          demo.serverDir(id).toString(),
                          "--coordinator",
                          coordinatorUri)),
                  secrets == null ? List.of() : secrets.serverArgs())),
          serverEnvironment(tracing, secrets),
          log,
          2);
      out.printf(
          "started %s at %s://127.0.0.1:%s serving %s (log: %s)%n",
          id, scheme, port, demo.serverDir(id), log);
    }
    out.flush();
    return dev.flightcluster.protocol.Locations.parse(coordinatorUri);
  }

  /** What a CLI client of the demo's cluster needs besides --coordinator. */
  private List<String> clientArguments(SecureDemo secrets) {
    if (secrets == null) {
      return tlsOptions.trustArguments();
    }
    return List.of("--tls-ca", secrets.ca().toString(), "--user", SecureDemo.USER);
  }

  /** A child's arguments followed by the demo's TLS options. */
  private List<String> withTls(List<String> arguments) {
    List<String> all = new ArrayList<>(arguments);
    all.addAll(tlsOptions.arguments());
    return all;
  }

  /**
   * Each child names its own service (coordinator, server) in traces, whatever OTEL_SERVICE_NAME
   * this process runs with; servers tell themselves apart by the server.id span attribute. (A
   * service.instance.id in OTEL_RESOURCE_ATTRIBUTES would make the SDK warn at every start.) Spans
   * go to the demo's receiver.
   */
  private static Map<String, String> childEnvironment(DemoTracing tracing) {
    Map<String, String> environment = new HashMap<>(tracing.childEnvironment());
    environment.put("OTEL_SERVICE_NAME", null);
    return environment;
  }

  private static List<String> withSecrets(List<String> args, List<String> secretArgs) {
    List<String> all = new ArrayList<>(args);
    all.addAll(secretArgs);
    return all;
  }

  private static Map<String, String> serverEnvironment(DemoTracing tracing, SecureDemo secrets) {
    Map<String, String> environment = childEnvironment(tracing);
    if (secrets != null) {
      environment.putAll(secrets.serverEnvironment());
    }
    return environment;
  }

  private List<FlightInfo> awaitDatasets(
      ClientSession session, ChildProcesses children, List<String> expected, DemoData demo)
      throws InterruptedException {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    Set<String> listed = new TreeSet<>();
    while (true) {
      children.checkAlive();
      try {
        List<FlightInfo> infos = session.client().list("");
        listed.clear();
        infos.forEach(info -> listed.add(DatasetListing.name(info)));
        if (listed.containsAll(expected)) {
          return infos;
        }
      } catch (FlightRuntimeException e) {
        if (e.status().code() != FlightStatusCode.UNAVAILABLE) {
          throw e;
        }
        // The coordinator is still starting.
      }
      if (System.nanoTime() > deadline) {
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(listed);
        throw new IllegalStateException(
            "after "
                + DurationConverter.format(startupTimeout)
                + " the coordinator still does not list "
                + missing
                + "; see the logs in "
                + demo.logsDir());
      }
      Thread.sleep(250);
    }
  }
}
