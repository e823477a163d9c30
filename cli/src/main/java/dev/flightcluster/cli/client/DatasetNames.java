package dev.flightcluster.cli.client;

import dev.flightcluster.protocol.DatasetName;
import org.apache.arrow.flight.FlightRuntimeException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks dataset names on the command line, so a bad one is a usage error (exit 2), not a call. */
final class DatasetNames {
  private DatasetNames() {}

  static void check(CommandSpec spec, String name) {
    try {
      DatasetName.of(name);
    } catch (FlightRuntimeException e) {
      throw new ParameterException(spec.commandLine(), e.status().description());
    }
  }

  /**
   * Uploads take one path segment: the server stores "x.parquet" as a file, anything else as a
   * folder.
   */
  static void checkUpload(CommandSpec spec, String name) {
    check(spec, name);
    if (name.contains("/")) {
      throw new ParameterException(
          spec.commandLine(),
          "--name '"
              + name
              + "' has a '/': an upload names one dataset at the top of a server's data dir");
    }
  }
}
