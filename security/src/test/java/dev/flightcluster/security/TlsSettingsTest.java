package dev.flightcluster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {
  @TempDir Path dir;

  @BeforeEach
  void keys() throws Exception {
    ClusterKeys.write(dir, List.of(), Instant.now());
  }

  @Test
  void nothingSetIsPlaintext() {
    TlsSettings tls = TlsSettings.builder().build();

    assertThat(tls.serving()).isFalse();
    assertThat(tls.location("127.0.0.1", 1).getUri().getScheme()).isEqualTo("grpc+tcp");
  }

  @Test
  void aCertificateAndKeyServeTlsAtATlsLocation() {
    TlsSettings tls =
        TlsSettings.builder()
            .identity(dir.resolve("node.pem"), dir.resolve("node-key.pem"))
            .clientCa(dir.resolve("ca.pem"))
            .build();

    assertThat(tls.serving()).isTrue();
    assertThat(tls.requiresClientCertificates()).isTrue();
    assertThat(tls.location("127.0.0.1", 1).getUri().toString())
        .isEqualTo("grpc+tls://127.0.0.1:1");
    assertThat(tls.toString()).doesNotContain("BEGIN");
  }

  @Test
  void aCertificateWithoutKeyIsRefused() {
    assertThatThrownBy(() -> TlsSettings.builder().certificate(dir.resolve("node.pem")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "A TLS certificate (--tls-cert) is set without its private key: set --tls-key too");
    assertThatThrownBy(() -> TlsSettings.builder().privateKey(dir.resolve("node-key.pem")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "A TLS private key (--tls-key) is set without its certificate: set --tls-cert too");
  }

  @Test
  void aClientCaWithoutTlsIsRefused() {
    assertThatThrownBy(() -> TlsSettings.builder().clientCa(dir.resolve("ca.pem")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Requiring client certificates (--tls-client-ca) needs TLS");
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefused() {
    assertThatThrownBy(
            () ->
                TlsSettings.builder()
                    .identity(dir.resolve("node.pem"), dir.resolve("ca-key.pem"))
                    .build())
        .isInstanceOf(PemFileException.class)
        .hasMessage(
            "Cannot use the TLS private key "
                + dir.resolve("ca-key.pem")
                + ": it is not the key of the first certificate in "
                + dir.resolve("node.pem"));
  }

  @Test
  void anUnreadableCaIsNamed() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");

    assertThatThrownBy(() -> TlsSettings.builder().trustedCa(empty).build())
        .isInstanceOf(PemFileException.class)
        .hasMessage(
            "Cannot use the TLS CA certificate "
                + empty
                + ": it holds no PEM certificate (BEGIN CERTIFICATE)");
  }
}
