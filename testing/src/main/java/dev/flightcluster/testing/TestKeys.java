package dev.flightcluster.testing;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.security.ClusterKeys;
import dev.flightcluster.security.TlsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The key material of a test cluster, made by {@code keys init}'s own code ({@link ClusterKeys}) in
 * a directory of the test's, usually a {@code @TempDir}; and the TLS settings its processes and
 * clients use. The node certificate is for {@code localhost} and {@code 127.0.0.1}.
 *
 * @param directory where the files are
 */
public record TestKeys(Path directory) {
  public TestKeys {
    requireNonNull(directory, "directory is null");
  }

  /** Writes a new CA, node certificate and token key pair into {@code directory}. */
  public static TestKeys create(Path directory) {
    try {
      ClusterKeys.write(directory, List.of(), Instant.now());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write test keys into " + directory, e);
    }
    return new TestKeys(directory);
  }

  /** A file of the set, e.g. {@code ClusterKeys.CA_CERTIFICATE}. */
  public Path file(String name) {
    return directory.resolve(name);
  }

  /**
   * A process serving TLS with the node certificate and trusting the CA; no client certificates
   * asked.
   */
  public TlsSettings server() {
    return TlsSettings.builder()
        .identity(file(ClusterKeys.NODE_CERTIFICATE), file(ClusterKeys.NODE_KEY))
        .trustedCa(file(ClusterKeys.CA_CERTIFICATE))
        .build();
  }

  /** Like {@link #server()}, and requiring callers to present a certificate signed by the CA. */
  public TlsSettings mutualServer() {
    return TlsSettings.builder()
        .identity(file(ClusterKeys.NODE_CERTIFICATE), file(ClusterKeys.NODE_KEY))
        .trustedCa(file(ClusterKeys.CA_CERTIFICATE))
        .clientCa(file(ClusterKeys.CA_CERTIFICATE))
        .build();
  }

  /** A client trusting the CA, with no certificate of its own. */
  public TlsSettings client() {
    return TlsSettings.builder().trustedCa(file(ClusterKeys.CA_CERTIFICATE)).build();
  }

  /** A client trusting the CA and presenting the node certificate (for servers requiring mTLS). */
  public TlsSettings clientWithCertificate() {
    return TlsSettings.builder()
        .identity(file(ClusterKeys.NODE_CERTIFICATE), file(ClusterKeys.NODE_KEY))
        .trustedCa(file(ClusterKeys.CA_CERTIFICATE))
        .build();
  }
}
