package dev.flightcluster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.security.ClusterKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureDemoTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void writesTheKeysOfKeysInitTheUsersAndThePassword() throws Exception {
    SecureDemo.create(dir, NOW);

    for (String name : ClusterKeys.fileNames()) {
      assertThat(dir.resolve(name)).isNotEmptyFile();
    }
    assertThat(UsersFile.read(dir.resolve(SecureDemo.USERS_FILE)))
        .extracting(UsersFile.Entry::name, UsersFile.Entry::role)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("demo", Role.WRITE),
            org.assertj.core.groups.Tuple.tuple("node", Role.NODE));
    Path password = dir.resolve(SecureDemo.PASSWORD_FILE);
    assertThat(Files.readString(password).strip()).hasSizeGreaterThanOrEqualTo(20);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password)))
        .isEqualTo("rw-------");
  }

  @Test
  void aSecondRunReplacesTheKeysAndThePassword() throws Exception {
    SecureDemo.create(dir, NOW);
    String ca = Files.readString(dir.resolve(ClusterKeys.CA_CERTIFICATE));
    String password = Files.readString(dir.resolve(SecureDemo.PASSWORD_FILE));

    SecureDemo.create(dir, NOW);

    assertThat(Files.readString(dir.resolve(ClusterKeys.CA_CERTIFICATE))).isNotEqualTo(ca);
    assertThat(Files.readString(dir.resolve(SecureDemo.PASSWORD_FILE))).isNotEqualTo(password);
  }

  @Test
  void childrenServeTlsWithTheNodeCertificateAndTrustTheCa() throws Exception {
    SecureDemo demo = SecureDemo.create(dir, NOW);
    List<String> tls =
        List.of(
            "--tls-cert", dir.resolve(ClusterKeys.NODE_CERTIFICATE).toString(),
            "--tls-key", dir.resolve(ClusterKeys.NODE_KEY).toString(),
            "--tls-ca", dir.resolve(ClusterKeys.CA_CERTIFICATE).toString());

    assertThat(demo.coordinatorArgs())
        .containsSequence(tls)
        .containsSequence("--users", dir.resolve(SecureDemo.USERS_FILE).toString())
        .containsSequence(
            "--token-signing-key", dir.resolve(ClusterKeys.TOKEN_SIGNING_KEY).toString());
    assertThat(demo.serverArgs())
        .containsSequence(tls)
        .containsSequence(
            "--token-verify-key", dir.resolve(ClusterKeys.TOKEN_VERIFY_KEY).toString())
        .containsSequence("--node-user", "node")
        .doesNotContain(dir.resolve(ClusterKeys.TOKEN_SIGNING_KEY).toString());
    assertThat(demo.serverEnvironment()).containsKey("FLIGHT_NODE_PASSWORD");
    assertThat(demo.clientTls().trusted()).isPresent();
    assertThat(demo.clientTls().serving()).isFalse();
  }

  @Test
  void printsHowToConnectOverTlsWithoutThePassword() throws Exception {
    SecureDemo demo = SecureDemo.create(dir, NOW);
    String password = Files.readString(dir.resolve(SecureDemo.PASSWORD_FILE)).strip();
    String ca = dir.resolve(ClusterKeys.CA_CERTIFICATE).toString();

    String text = demo.howToConnect("grpc+tls://127.0.0.1:4321");

    assertThat(text)
        .contains(
            "FLIGHT_PASSWORD=$(cat " + dir.resolve(SecureDemo.PASSWORD_FILE) + ")",
            "client --coordinator grpc+tls://127.0.0.1:4321 --tls-ca " + ca + " --user demo list",
            "flight.connect(\"grpc+tls://127.0.0.1:4321\", tls_root_certs=open(\""
                + ca
                + "\", \"rb\").read())",
            "client.authenticate_basic_token(b\"demo\", open(\""
                + dir.resolve(SecureDemo.PASSWORD_FILE)
                + "\").read().strip().encode())",
            "flight.FlightCallOptions(headers=[token])")
        .doesNotContain(password);
  }
}
