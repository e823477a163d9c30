package dev.flightcluster.cli.client;

import dev.flightcluster.cli.LocationConverter;
import org.apache.arrow.flight.Location;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code flight-cluster client ...}: the client commands, all talking to one coordinator. */
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
      ListAndGetAllCommand.class
    })
public final class ClientCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--coordinator",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_COORDINATOR:-grpc://localhost:8888}",
      converter = LocationConverter.class,
      paramLabel = "URI",
      description = "The coordinator to ask (env FLIGHT_COORDINATOR).")
  Location coordinator;

  /** The coordinator all subcommands talk to. */
  Location coordinator() {
    return coordinator;
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing command: list, info, get, put or list-and-get-all");
  }
}
