package dev.flightcluster.cli;

import dev.flightcluster.cli.client.ClientCommand;
import dev.flightcluster.cli.coordinator.CoordinatorCommand;
import dev.flightcluster.cli.demo.DemoCommand;
import dev.flightcluster.cli.health.HealthCommand;
import dev.flightcluster.cli.keys.KeysCommand;
import dev.flightcluster.cli.logging.LogFormat;
import dev.flightcluster.cli.logging.Logging;
import dev.flightcluster.cli.server.ServerCommand;
import dev.flightcluster.cli.users.UsersCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code flight-cluster}: the launcher of arrow-flight-cluster. Exit codes: 0 success, 1 failure
 * (one line on stderr, the stack trace too with {@code --verbose}), 2 usage error.
 */
@Command(
    name = "flight-cluster",
    description = {
      "A distributed Apache Arrow Flight data service, traced with OpenTelemetry.",
      "Tracing is configured by the standard OTEL_* variables (OTLP/gRPC to localhost:4317 unless"
          + " OTEL_EXPORTER_OTLP_ENDPOINT says otherwise; OTEL_SDK_DISABLED=true turns it off)."
    },
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = {
      DemoCommand.class,
      CoordinatorCommand.class,
      ServerCommand.class,
      ClientCommand.class,
      HealthCommand.class,
      UsersCommand.class,
      KeysCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = {"-v", Verbosity.OPTION},
      scope = ScopeType.INHERIT,
      description = "Log debug messages, and print stack traces with errors.")
  boolean verbose;

  @Option(
      names = Verbosity.LOG_FORMAT,
      scope = ScopeType.INHERIT,
      paramLabel = "FORMAT",
      description =
          "Log lines on stderr as text for people (default) or json for a log pipeline (one"
              + " object a line, with trace_id and span_id).")
  LogFormat logFormat = LogFormat.TEXT;

  public static void main(String[] args) {
    Logging.install();
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line: failure handling and {@code --verbose} included. */
  public static CommandLine commandLine() {
    CommandLine commandLine =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(new FailureHandler())
            // --log-format json, as the enum's constants are upper case.
            .setCaseInsensitiveEnumValuesAllowed(true);
    return Verbosity.install(commandLine);
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing command: say which one to run");
  }

  /** The version from the jar manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"flight-cluster " + (version == null ? "(development build)" : version)};
    }
  }
}
