package dev.flightcluster.bench.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.auth.Principal;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.TokenIssuer;
import dev.flightcluster.auth.TokenVerifier;
import dev.flightcluster.auth.Users;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.FlightTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * What authentication costs (no JMH: plain loops after a warm-up, medians of many samples):
 *
 * <ul>
 *   <li>token verification per call: {@link TokenVerifier#verify}, in µs, the work every
 *       authenticated call adds at every node;
 *   <li>token signing: what a coordinator spends per login besides bcrypt;
 *   <li>handshake latency: a basic-auth handshake at a coordinator on loopback (bcrypt cost 10
 *       dominates), in ms;
 *   <li>per-call overhead end to end: ListActions round trips with a bearer token at an
 *       authenticating coordinator against the same call at an --insecure one, in µs.
 * </ul>
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl bench -am package -DskipTests && java -cp
 * "bench/target/classes:bench/target/lib/*" dev.flightcluster.bench.auth.AuthBench}.
 */
public final class AuthBench {
  private static final int VERIFY_OPS = 3_000;
  private static final int HANDSHAKES = 20;
  private static final int CALLS = 500;

  private AuthBench() {}

  public static void main(String[] args) throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).generate();
    TokenIssuer issuer =
        new TokenIssuer(key, "flight-cluster", Duration.ofHours(1), InstantSource.system());
    TokenVerifier verifier =
        new TokenVerifier(key.toPublicJWK(), "flight-cluster", InstantSource.system());
    Principal alice = new Principal("alice", Role.READ);
    String token = issuer.issue(alice).value();

    for (int i = 0; i < VERIFY_OPS; i++) {
      verifier.verify(token);
      issuer.issue(alice);
    }
    // A token's first call checks its signature; later calls with it find it remembered.
    String[] fresh = new String[VERIFY_OPS];
    for (int i = 0; i < VERIFY_OPS; i++) {
      fresh[i] = issuer.issue(alice).value();
    }
    double[] verify = new double[VERIFY_OPS];
    for (int i = 0; i < VERIFY_OPS; i++) {
      long start = System.nanoTime();
      verifier.verify(fresh[i]);
      verify[i] = (System.nanoTime() - start) / 1_000.0;
    }
    double[] remembered = new double[VERIFY_OPS];
    for (int i = 0; i < VERIFY_OPS; i++) {
      long start = System.nanoTime();
      verifier.verify(token);
      remembered[i] = (System.nanoTime() - start) / 1_000.0;
    }
    double[] sign = new double[VERIFY_OPS / 4];
    for (int i = 0; i < sign.length; i++) {
      long start = System.nanoTime();
      issuer.issue(alice);
      sign[i] = (System.nanoTime() - start) / 1_000.0;
    }
    report("token verification, first call", verify, "µs");
    report("token verification, later calls", remembered, "µs");
    report("token signing per login", sign, "µs");

    Path dir = Files.createTempDirectory("auth-bench");
    Path usersFile = dir.resolve("users");
    UsersFile.put(usersFile, "alice", Role.READ, "bench-password".toCharArray());
    Users users = Users.load(usersFile);
    FlightTelemetry telemetry = FlightTelemetry.create(OpenTelemetry.noop());
    try (BufferAllocator allocator = new RootAllocator()) {
      Coordinator secure =
          start(
              allocator,
              telemetry,
              ServerAuth.coordinator(
                  users, key, "flight-cluster", Duration.ofHours(1), InstantSource.system()));
      Coordinator open = start(allocator, telemetry, ServerAuth.insecure());
      try (FlightClient secureClient =
              FlightClient.builder(allocator, local(secure.port())).build();
          FlightClient openClient = FlightClient.builder(allocator, local(open.port())).build()) {
        CallOption basic =
            header(
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString("alice:bench-password".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 5; i++) {
          secureClient.handshake(basic);
        }
        double[] handshakes = new double[HANDSHAKES];
        for (int i = 0; i < HANDSHAKES; i++) {
          long start = System.nanoTime();
          secureClient.handshake(basic);
          handshakes[i] = (System.nanoTime() - start) / 1_000_000.0;
        }
        report("basic-auth handshake (bcrypt cost 10 + signing)", handshakes, "ms");

        CallOption bearer = header("Bearer " + token);
        double[] withToken = calls(secureClient, bearer);
        double[] without = calls(openClient, header("x-none: 1"));
        report("ListActions with a bearer token", withToken, "µs");
        report("ListActions at an --insecure coordinator", without, "µs");
      } finally {
        secure.close();
        open.close();
      }
    } finally {
      Files.deleteIfExists(usersFile);
      Files.deleteIfExists(dir);
    }
  }

  private static double[] calls(FlightClient client, CallOption option) {
    for (int i = 0; i < CALLS; i++) {
      client.listActions(option).forEach(action -> {});
    }
    double[] samples = new double[CALLS];
    for (int i = 0; i < CALLS; i++) {
      long start = System.nanoTime();
      client.listActions(option).forEach(action -> {});
      samples[i] = (System.nanoTime() - start) / 1_000.0;
    }
    return samples;
  }

  private static Coordinator start(
      BufferAllocator allocator, FlightTelemetry telemetry, ServerAuth auth) throws Exception {
    return Coordinator.builder(allocator, telemetry).location(local(0)).auth(auth).build().start();
  }

  private static Location local(int port) {
    return Location.forGrpcInsecure("127.0.0.1", port);
  }

  private static CallOption header(String authorization) {
    CallHeaders headers = new FlightCallHeaders();
    if (authorization.startsWith("x-none")) {
      headers.insert("x-none", "1");
    } else {
      headers.insert("authorization", authorization);
    }
    return new HeaderCallOption(headers);
  }

  private static void report(String what, double[] samples, String unit) {
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "%-50s median %8.1f %s   p90 %8.1f %s   (n=%d)%n",
        what,
        sorted[sorted.length / 2],
        unit,
        sorted[(int) (sorted.length * 0.9)],
        unit,
        sorted.length);
  }
}
