package dev.flightcluster.cli.demo;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.client.FlightClusterClientBuilder;
import dev.flightcluster.security.ClusterKeys;
import dev.flightcluster.security.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The secrets of {@code demo --secure}, in DIR/secure/: what {@code keys init} writes (a CA, a
 * certificate and key for localhost and 127.0.0.1, a token key pair; see {@link ClusterKeys}), a
 * users file with a {@code demo} user (role write) and a {@code node} user (role node), and the
 * demo user's generated password, private files readable by their owner only. New keys and
 * passwords every run; the files are replaced, since they belong to the demo alone.
 */
final class SecureDemo {
  static final String USER = "demo";
  static final String PASSWORD_FILE = "password";
  static final String USERS_FILE = "users";
  private static final String NODE_USER = "node";

  private final Path dir;
  private final String password;
  private final String nodePassword;

  private SecureDemo(Path dir, String password, String nodePassword) {
    this.dir = dir;
    this.password = password;
    this.nodePassword = nodePassword;
  }

  /** Writes fresh secrets into {@code dir}, replacing the ones of an earlier run. */
  static SecureDemo create(Path dir, Instant now) throws IOException {
    requireNonNull(dir, "dir is null");
    requireNonNull(now, "now is null");
    Files.createDirectories(dir);
    // keys init never overwrites; these files are the demo's own, so an earlier run's go first.
    for (String name : ClusterKeys.fileNames()) {
      Files.deleteIfExists(dir.resolve(name));
    }
    ClusterKeys.write(dir, List.of(), now);
    SecureDemo demo = new SecureDemo(dir, randomPassword(), randomPassword());
    Files.deleteIfExists(demo.users());
    UsersFile.put(demo.users(), USER, Role.WRITE, demo.password.toCharArray());
    UsersFile.put(demo.users(), NODE_USER, Role.NODE, demo.nodePassword.toCharArray());
    writePrivate(dir.resolve(PASSWORD_FILE), demo.password + "\n");
    return demo;
  }

  /** The TLS options of every child: serve with the node certificate, trust the demo's CA. */
  List<String> tlsArgs() {
    return List.of(
        "--tls-cert", file(ClusterKeys.NODE_CERTIFICATE).toString(),
        "--tls-key", file(ClusterKeys.NODE_KEY).toString(),
        "--tls-ca", ca().toString());
  }

  /** What the demo's own client trusts: the demo's CA. */
  TlsSettings clientTls() {
    return TlsSettings.builder().trustedCa(ca()).build();
  }

  List<String> coordinatorArgs() {
    List<String> args = new ArrayList<>(tlsArgs());
    args.addAll(
        List.of(
            "--users", users().toString(),
            "--token-signing-key", file(ClusterKeys.TOKEN_SIGNING_KEY).toString()));
    return List.copyOf(args);
  }

  List<String> serverArgs() {
    List<String> args = new ArrayList<>(tlsArgs());
    args.addAll(
        List.of(
            "--token-verify-key",
            file(ClusterKeys.TOKEN_VERIFY_KEY).toString(),
            "--node-user",
            NODE_USER));
    return List.copyOf(args);
  }

  /** What a server child needs in its environment: the node user's password. */
  Map<String, String> serverEnvironment() {
    return Map.of("FLIGHT_NODE_PASSWORD", nodePassword);
  }

  void configure(FlightClusterClientBuilder builder) {
    builder.user(USER, password.toCharArray());
  }

  /**
   * How to connect with the CLI and with pyarrow over grpc+tls; names the password file, never the
   * password.
   */
  String howToConnect(String coordinatorUri) {
    Path passwordFile = dir.resolve(PASSWORD_FILE);
    return String.format(
        "%nThe cluster serves TLS and authenticates: user %s, password in %s, CA certificate %s"
            + " (keys and users in %s).%n"
            + "  %s ./flight-cluster client --coordinator %s --tls-ca %s"
            + " --user %s list%n"
            + "From pyarrow:%n"
            + "  import pyarrow.flight as flight%n"
            + "  client = flight.connect(\"%s\", tls_root_certs=open(\"%s\", \"rb\").read())%n"
            + "  token = client.authenticate_basic_token(b\"%s\", open(\"%s\").read().strip().encode())%n"
            + "  options = flight.FlightCallOptions(headers=[token])%n"
            + "  for info in client.list_flights(options=options): print(info.descriptor.path)%n",
        USER,
        passwordFile,
        ca(),
        dir,
        passwordVariable(),
        coordinatorUri,
        ca(),
        USER,
        coordinatorUri,
        ca(),
        USER,
        passwordFile);
  }

  /** {@code FLIGHT_PASSWORD=$(cat FILE)}: the demo user's password for a CLI command line. */
  String passwordVariable() {
    return "FLIGHT_PASSWORD=$(cat " + dir.resolve(PASSWORD_FILE) + ")";
  }

  Path ca() {
    return file(ClusterKeys.CA_CERTIFICATE);
  }

  private Path file(String name) {
    return dir.resolve(name);
  }

  private Path users() {
    return dir.resolve(USERS_FILE);
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
