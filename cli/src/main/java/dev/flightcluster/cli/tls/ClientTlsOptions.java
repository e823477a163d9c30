package dev.flightcluster.cli.tls;

import dev.flightcluster.security.TlsSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The TLS options of a process that calls others: the CA to trust ({@code --tls-ca}) and its own
 * certificate and key ({@code --tls-cert}, {@code --tls-key}), presented to servers that require
 * client certificates. A picocli mixin; inherited by subcommands.
 */
public final class ClientTlsOptions {
  @Option(
      names = "--tls-cert",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_TLS_CERT}",
      paramLabel = "FILE",
      description =
          "PEM certificate chain, own certificate first (env FLIGHT_TLS_CERT). A coordinator or"
              + " server with it serves TLS only (grpc+tls://); every process presents it to"
              + " servers that require client certificates.")
  Path certificate;

  @Option(
      names = "--tls-key",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_TLS_KEY}",
      paramLabel = "FILE",
      description =
          "PEM private key of --tls-cert, PKCS#8 or SEC1 as openssl writes it (env FLIGHT_TLS_KEY).")
  Path key;

  @Option(
      names = "--tls-ca",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FLIGHT_TLS_CA}",
      paramLabel = "FILE",
      description =
          "PEM CA certificates to trust when calling grpc+tls:// locations (env FLIGHT_TLS_CA);"
              + " default: the JDK's CAs.")
  Path ca;

  /**
   * The settings these options give, every file read and checked.
   *
   * @throws ParameterException naming the option and file when a file cannot be used or a
   *     certificate has no key
   */
  public TlsSettings settings(CommandSpec spec) {
    return build(spec, null);
  }

  /**
   * The options set, as arguments for a child process ({@code --tls-cert FILE ...}), so that a
   * process started by this one (the demo's) runs with the same files.
   */
  public List<String> arguments() {
    List<String> arguments = new ArrayList<>();
    if (certificate != null) {
      arguments.addAll(List.of("--tls-cert", certificate.toString()));
    }
    if (key != null) {
      arguments.addAll(List.of("--tls-key", key.toString()));
    }
    if (ca != null) {
      arguments.addAll(List.of("--tls-ca", ca.toString()));
    }
    return List.copyOf(arguments);
  }

  /** {@code --tls-ca FILE} if set: what a client of the processes this one starts needs. */
  public List<String> trustArguments() {
    return ca == null ? List.of() : List.of("--tls-ca", ca.toString());
  }

  TlsSettings build(CommandSpec spec, Path clientCa) {
    try {
      return TlsSettings.builder()
          .certificate(certificate)
          .privateKey(key)
          .trustedCa(ca)
          .clientCa(clientCa)
          .build();
    } catch (IllegalArgumentException e) {
      // PemFileException included: its message names the file, never its contents.
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }
}
