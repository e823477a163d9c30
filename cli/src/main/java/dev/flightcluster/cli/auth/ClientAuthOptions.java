package dev.flightcluster.cli.auth;

import dev.flightcluster.client.FlightClusterClientBuilder;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The client's login option (a picocli mixin): --user, with the password from the environment. */
public final class ClientAuthOptions {
  /** The environment variable holding the password; never a flag, which other users could read. */
  public static final String PASSWORD_ENV = "FLIGHT_PASSWORD";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** Reads the environment; tests replace it. */
  UnaryOperator<String> env = System::getenv;

  @Option(
      names = "--user",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_USER}",
      paramLabel = "NAME",
      description =
          "Log in at the coordinator as this user, with the password in env "
              + PASSWORD_ENV
              + " (env FLIGHT_USER).")
  String user;

  /**
   * Sets the login on {@code builder}, when --user is given.
   *
   * @throws ParameterException when --user is given without a password
   */
  public FlightClusterClientBuilder apply(FlightClusterClientBuilder builder) {
    if (user == null) {
      return builder;
    }
    String password = env.apply(PASSWORD_ENV);
    if (password == null || password.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--user " + user + " needs the password in env " + PASSWORD_ENV);
    }
    return builder.user(user, password.toCharArray());
  }
}
