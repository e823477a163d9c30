package dev.flightcluster.cli.client;

import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.LocationConverter;
import dev.flightcluster.cli.auth.ClientAuthOptions;
import dev.flightcluster.cli.tls.ClientTlsOptions;
import dev.flightcluster.client.FlightClusterClientBuilder;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.flight.Location;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code flight-cluster client ...}: the client commands, all talking to the coordinators given.
 */
@Command(
    name = "client",
    description = "Lists, describes, downloads and uploads datasets through the coordinator.",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    subcommands = {
      ListCommand.class,
      InfoCommand.class,
      GetCommand.class,
      PutCommand.class,
      ListAndGetAllCommand.class,
      StatusCommand.class
    })
public final class ClientCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--coordinator",
      scope = ScopeType.INHERIT,
      split = ",",
      defaultValue = "${env:FLIGHT_COORDINATOR:-grpc://localhost:8888}",
      converter = LocationConverter.class,
      // Short, so picocli keeps the description column where the subcommands' help expects it.
      paramLabel = "URIS",
      hideParamSyntax = true,
      description = {
        "The coordinators to ask, comma-separated, in the order to try them; a call that one cannot"
            + " answer (unreachable, not ready, no answer within the connect timeout) goes to the"
            + " next, and that one is tried last for a while (env FLIGHT_COORDINATOR)."
      })
  List<Location> coordinators;

  @Option(
      names = "--connect-timeout",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_CONNECT_TIMEOUT:-5s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "How long to wait for a connection to a coordinator or data server before trying the next"
              + " one (env FLIGHT_CONNECT_TIMEOUT).")
  Duration connectTimeout;

  @Option(
      names = "--progress-timeout",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_PROGRESS_TIMEOUT:-15s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "A read that receives nothing for this long counts the server as stalled and moves to the"
              + " next replica (before the first batch; later it fails) (env FLIGHT_PROGRESS_TIMEOUT).")
  Duration progressTimeout;

  @Option(
      names = "--parallelism",
      scope = ScopeType.INHERIT,
      paramLabel = "N",
      description =
          "How many endpoints of a dataset a read streams at once; never more than the distinct"
              + " servers holding them (default: one stream per server, at most "
              + FlightClusterClientBuilder.DEFAULT_PARALLELISM
              + ").")
  Integer parallelism;

  @Mixin ClientAuthOptions login;

  @Mixin ClientTlsOptions tlsOptions;

  /** Starts a client session with the options of this command. */
  ClientSession openSession() {
    return ClientSession.open(
        coordinators,
        builder -> {
          login.apply(
              builder
                  .connectTimeout(connectTimeout)
                  .progressTimeout(progressTimeout)
                  .tls(tlsOptions.settings(spec)));
          if (parallelism != null) {
            try {
              builder.parallelism(parallelism);
            } catch (IllegalArgumentException e) {
              throw new ParameterException(spec.commandLine(), "--parallelism: " + e.getMessage());
            }
          }
        });
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing command: list, info, get, put, list-and-get-all or status");
  }
}
