package dev.flightcluster.cli.tls;

import dev.flightcluster.security.TlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The TLS options of a process that serves (coordinator, data server): {@link ClientTlsOptions},
 * where {@code --tls-cert} and {@code --tls-key} make it serve TLS only, plus {@code
 * --tls-client-ca} for mutual TLS. A picocli mixin.
 */
public final class TlsOptions {
  @Mixin ClientTlsOptions common;

  @Option(
      names = "--tls-client-ca",
      defaultValue = "${env:FLIGHT_TLS_CLIENT_CA}",
      paramLabel = "FILE",
      description =
          "Require every caller to present a certificate signed by these PEM CA certificates"
              + " (mutual TLS; needs --tls-cert) (env FLIGHT_TLS_CLIENT_CA).")
  Path clientCa;

  /**
   * The settings these options give, every file read and checked.
   *
   * @throws picocli.CommandLine.ParameterException naming the option and file when a file cannot be
   *     used, a certificate has no key, or a client CA has no certificate
   */
  public TlsSettings settings(CommandSpec spec) {
    return common.build(spec, clientCa);
  }
}
