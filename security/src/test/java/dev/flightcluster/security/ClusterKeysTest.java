package dev.flightcluster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterKeysTest {
  @TempDir Path dir;

  @Test
  void writesExactlyTheSixFilesWithPrivateKeysReadableByTheOwnerOnly() throws Exception {
    List<Path> written =
        ClusterKeys.write(dir.resolve("keys"), List.of("coordinator-1"), Instant.now());

    assertThat(written)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "ca.pem",
            "ca-key.pem",
            "node.pem",
            "node-key.pem",
            "token-signing-key.pem",
            "token-verify-key.pem");
    try (var files = Files.list(dir.resolve("keys"))) {
      assertThat(files.count()).isEqualTo(6);
    }
    for (String key : List.of("ca-key.pem", "node-key.pem", "token-signing-key.pem")) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dir.resolve("keys").resolve(key))))
          .as(key)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void theNodeCertificateIsSignedByTheCaForTheHostsAndLoopbackAsServerAndClient() throws Exception {
    ClusterKeys.write(dir, List.of("coordinator-1", "10.0.0.7"), Instant.now());

    X509Certificate ca = PemFiles.readCertificates("ca", dir.resolve("ca.pem")).getFirst();
    X509Certificate node = PemFiles.readCertificates("node", dir.resolve("node.pem")).getFirst();

    node.verify(ca.getPublicKey());
    node.checkValidity();
    assertThat(ca.getBasicConstraints()).isZero();
    assertThat(node.getBasicConstraints()).isEqualTo(-1);
    assertThat(node.getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactly((Object) "coordinator-1", "10.0.0.7", "localhost", "127.0.0.1");
    assertThat(node.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    // The node key belongs to the certificate: TlsIdentity checks that.
    assertThat(TlsIdentity.read(dir.resolve("node.pem"), dir.resolve("node-key.pem")).chain())
        .containsExactly(node);
  }

  @Test
  void theTokenKeysAreAnEs256Pair() throws Exception {
    ClusterKeys.write(dir, List.of(), Instant.now());

    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(PemFiles.readP256PrivateKey("signing", dir.resolve("token-signing-key.pem")));
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(PemFiles.readP256PublicKey("verify", dir.resolve("token-verify-key.pem")));
    verifier.update(new byte[] {1, 2, 3});

    assertThat(verifier.verify(signature)).isTrue();
    assertThat(Files.readString(dir.resolve("token-signing-key.pem")))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve("token-verify-key.pem")))
        .startsWith("-----BEGIN PUBLIC KEY-----");
  }

  @Test
  void neverOverwritesAndThenWritesNothing() throws Exception {
    Path existing = Files.writeString(dir.resolve("node-key.pem"), "mine");

    assertThatThrownBy(() -> ClusterKeys.write(dir, List.of(), Instant.now()))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(existing.toString())
        .hasMessageContaining("never overwrites");
    assertThat(Files.readString(existing)).isEqualTo("mine");
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).containsExactly(existing);
    }
  }

  @Test
  void opensslReadsEveryFileAndVerifiesTheNodeCertificate() throws Exception {
    Openssl.assumeInstalled();
    ClusterKeys.write(dir, List.of("server-1"), Instant.now());

    Openssl.run(dir, "x509", "-in", "ca.pem", "-noout");
    Openssl.run(dir, "x509", "-in", "node.pem", "-noout");
    Openssl.run(dir, "pkey", "-in", "ca-key.pem", "-noout");
    Openssl.run(dir, "pkey", "-in", "node-key.pem", "-noout");
    Openssl.run(dir, "pkey", "-in", "token-signing-key.pem", "-noout");
    Openssl.run(dir, "pkey", "-pubin", "-in", "token-verify-key.pem", "-noout");
    assertThat(Openssl.run(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "node.pem"))
        .contains("node.pem: OK");
    assertThat(Openssl.run(dir, "verify", "-CAfile", "ca.pem", "-purpose", "sslclient", "node.pem"))
        .contains("node.pem: OK");
    assertThat(Openssl.run(dir, "x509", "-in", "node.pem", "-noout", "-ext", "subjectAltName"))
        .contains("DNS:server-1", "DNS:localhost", "IP Address:127.0.0.1");
  }

  @Test
  void aHostWithWhiteSpaceIsRefused() {
    assertThatThrownBy(() -> ClusterKeys.write(dir, List.of("a b"), Instant.now()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Not a host name or IP address: 'a b'");
  }
}
