package dev.flightcluster.cli.demo;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.client.FlightClusterClientBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The secrets of {@code demo --secure}, in DIR/secure/: a token key pair, a users file with a
 * {@code demo} user (role write) and a {@code node} user (role node), and their generated
 * passwords, each file readable by its owner only. New passwords every run; the files are
 * overwritten, since they belong to the demo alone.
 */
final class SecureDemo {
  static final String USER = "demo";
  private static final String NODE_USER = "node";

  private final Path dir;
  private final String password;
  private final String nodePassword;

  private SecureDemo(Path dir, String password, String nodePassword) {
    this.dir = dir;
    this.password = password;
    this.nodePassword = nodePassword;
  }

  /** Writes fresh secrets into {@code dir}. */
  static SecureDemo create(Path dir) throws IOException {
    requireNonNull(dir, "dir is null");
    Files.createDirectories(dir);
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("generating the demo's token key failed", e);
    }
    SecureDemo demo = new SecureDemo(dir, randomPassword(), randomPassword());
    try {
      writePrivate(
          dir.resolve("token-signing-key.pem"),
          pem(new JcaPKCS8Generator(key.toECPrivateKey(), null)));
      writePrivate(dir.resolve("token-verify-key.pem"), pem(key.toECPublicKey()));
    } catch (JOSEException e) {
      throw new IllegalStateException("writing the demo's token key failed", e);
    }
    Files.deleteIfExists(demo.users());
    UsersFile.put(demo.users(), USER, Role.WRITE, demo.password.toCharArray());
    UsersFile.put(demo.users(), NODE_USER, Role.NODE, demo.nodePassword.toCharArray());
    writePrivate(dir.resolve("password"), demo.password + "\n");
    return demo;
  }

  List<String> coordinatorArgs() {
    return List.of(
        "--users", users().toString(),
        "--token-signing-key", dir.resolve("token-signing-key.pem").toString());
  }

  List<String> serverArgs() {
    return List.of(
        "--token-verify-key",
        dir.resolve("token-verify-key.pem").toString(),
        "--node-user",
        NODE_USER);
  }

  /** What a server child needs in its environment: the node user's password. */
  Map<String, String> serverEnvironment() {
    return Map.of("FLIGHT_NODE_PASSWORD", nodePassword);
  }

  void configure(FlightClusterClientBuilder builder) {
    builder.user(USER, password.toCharArray());
  }

  /** How to connect with the CLI and with pyarrow; names the password file, never the password. */
  String howToConnect(String coordinatorUri) {
    Path passwordFile = dir.resolve("password");
    return String.format(
        "%nThe cluster authenticates: user %s, password in %s (keys and users in %s).%n"
            + "  FLIGHT_PASSWORD=$(cat %s) ./flight-cluster client --coordinator %s --user %s list%n"
            + "From pyarrow:%n"
            + "  import pyarrow.flight as flight%n"
            + "  client = flight.connect(\"%s\")%n"
            + "  token = client.authenticate_basic_token(b\"%s\", open(\"%s\").read().strip().encode())%n"
            + "  options = flight.FlightCallOptions(headers=[token])%n"
            + "  for info in client.list_flights(options=options): print(info.descriptor.path)%n",
        USER,
        passwordFile,
        dir,
        passwordFile,
        coordinatorUri,
        USER,
        coordinatorUri,
        USER,
        passwordFile);
  }

  private Path users() {
    return dir.resolve("users");
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
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
