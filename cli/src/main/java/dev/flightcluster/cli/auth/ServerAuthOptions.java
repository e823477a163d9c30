package dev.flightcluster.cli.auth;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.TokenIssuer;
import dev.flightcluster.auth.TokenKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The data server's authentication options (a picocli mixin): the verify key, the node user it
 * registers as, --insecure.
 */
public final class ServerAuthOptions {
  /** The environment variable holding the node user's password; never a flag. */
  public static final String NODE_PASSWORD_ENV = "FLIGHT_NODE_PASSWORD";

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** Reads the environment; tests replace it. */
  UnaryOperator<String> env = System::getenv;

  @Option(
      names = "--token-verify-key",
      defaultValue = "${env:FLIGHT_TOKEN_VERIFY_KEY}",
      paramLabel = "FILE",
      description =
          "The EC P-256 public key (PEM) bearer tokens are verified with; turns authentication on"
              + " (env FLIGHT_TOKEN_VERIFY_KEY).")
  Path verifyKey;

  @Option(
      names = "--token-issuer",
      defaultValue = "${env:FLIGHT_TOKEN_ISSUER:-" + TokenIssuer.DEFAULT_ISSUER + "}",
      paramLabel = "NAME",
      description =
          "The issuer claim tokens must carry: the coordinators' (env FLIGHT_TOKEN_ISSUER).")
  String issuer;

  @Option(
      names = "--node-user",
      defaultValue = "${env:FLIGHT_NODE_USER}",
      paramLabel = "NAME",
      description =
          "The node user to log in at coordinators as, with the password in env "
              + NODE_PASSWORD_ENV
              + " (env FLIGHT_NODE_USER).")
  String nodeUser;

  @Option(
      names = "--insecure",
      defaultValue = "${env:FLIGHT_INSECURE:-false}",
      description =
          "Without --token-verify-key: serve every address without authentication. Without either,"
              + " only callers on this machine are answered (protected mode) (env FLIGHT_INSECURE).")
  boolean insecure;

  /**
   * How the server lets callers in.
   *
   * @throws ParameterException when the options contradict each other or the key cannot be read
   */
  public ServerAuth serverAuth() {
    if (verifyKey == null) {
      return insecure
          ? ServerAuth.insecure()
          : ServerAuth.protectedMode("data server", "--token-verify-key FILE");
    }
    if (insecure) {
      throw invalid("--insecure turns authentication off; it cannot go with --token-verify-key");
    }
    try {
      return ServerAuth.dataServer(TokenKeys.verifyKey(verifyKey), issuer, InstantSource.system());
    } catch (IOException e) {
      throw invalid("cannot read " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  /**
   * The credentials to register with, or null without --node-user.
   *
   * @throws ParameterException when --node-user is given without its password
   */
  public ClientCredentials nodeCredentials() {
    if (nodeUser == null) {
      return null;
    }
    String password = env.apply(NODE_PASSWORD_ENV);
    if (password == null || password.isEmpty()) {
      throw invalid("--node-user " + nodeUser + " needs its password in env " + NODE_PASSWORD_ENV);
    }
    return ClientCredentials.login(nodeUser, password.toCharArray(), InstantSource.system());
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
