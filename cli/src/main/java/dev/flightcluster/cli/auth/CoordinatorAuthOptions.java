package dev.flightcluster.cli.auth;

import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.TokenIssuer;
import dev.flightcluster.auth.TokenKeys;
import dev.flightcluster.auth.Users;
import dev.flightcluster.cli.DurationConverter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The coordinator's authentication options (a picocli mixin): users, the token key, --insecure. */
public final class CoordinatorAuthOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--users",
      defaultValue = "${env:FLIGHT_USERS}",
      paramLabel = "FILE",
      description =
          "The users file (flight-cluster users add) whose users may log in with basic credentials;"
              + " turns authentication on, with --token-signing-key (env FLIGHT_USERS).")
  Path users;

  @Option(
      names = "--token-signing-key",
      defaultValue = "${env:FLIGHT_TOKEN_SIGNING_KEY}",
      paramLabel = "FILE",
      description =
          "The EC P-256 private key (PEM) that signs bearer tokens; every coordinator of a cluster"
              + " shares it (env FLIGHT_TOKEN_SIGNING_KEY).")
  Path signingKey;

  @Option(
      names = "--token-ttl",
      defaultValue = "${env:FLIGHT_TOKEN_TTL:-1h}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "How long a bearer token is valid (env FLIGHT_TOKEN_TTL).")
  Duration ttl;

  @Option(
      names = "--token-issuer",
      defaultValue = "${env:FLIGHT_TOKEN_ISSUER:-" + TokenIssuer.DEFAULT_ISSUER + "}",
      paramLabel = "NAME",
      description =
          "The issuer claim of the tokens; data servers require the same (env FLIGHT_TOKEN_ISSUER).")
  String issuer;

  @Option(
      names = "--insecure",
      defaultValue = "${env:FLIGHT_INSECURE:-false}",
      description =
          "Without --users: serve every address without authentication. Without either, only"
              + " callers on this machine are answered (protected mode) (env FLIGHT_INSECURE).")
  boolean insecure;

  /**
   * How the coordinator lets callers in.
   *
   * @throws ParameterException when the options contradict each other or a file cannot be read
   */
  public ServerAuth serverAuth() {
    if (users == null && signingKey == null) {
      return insecure
          ? ServerAuth.insecure()
          : ServerAuth.protectedMode("coordinator", "--users FILE --token-signing-key FILE");
    }
    if (insecure) {
      throw invalid(
          "--insecure turns authentication off; it cannot go with --users or --token-signing-key");
    }
    if (users == null) {
      throw invalid("--token-signing-key signs tokens for users: give --users FILE too");
    }
    if (signingKey == null) {
      throw invalid(
          "--users needs --token-signing-key FILE, the private key tokens are signed with"
              + " (flight-cluster keys init writes one)");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw invalid("--token-ttl must be positive, not " + DurationConverter.format(ttl));
    }
    try {
      return ServerAuth.coordinator(
          Users.load(users), TokenKeys.signingKey(signingKey), issuer, ttl, InstantSource.system());
    } catch (IOException e) {
      throw invalid("cannot read " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
