package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.Users;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.InMemoryTelemetry;
import dev.flightcluster.testing.SampleTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlClient.ExecuteIngestOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableExistsOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableNotExistOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDBC driver against a cluster with authentication on (D83, D92): the user and password log in
 * with the basic handshake at the coordinator; the catalog calls and COUNT(*) answer there; rows
 * are read at the data servers, where the driver logs in again with the same user and password,
 * which the data servers pass on to the coordinator, or with a bearer token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightSqlAuthClusterTest {
  private static final String ISSUER = "flight-cluster";
  private static final String READ_PASSWORD = "reader-pw-5711";
  private static final String WRITE_PASSWORD = "writer-pw-5712";
  private static final String NODE_PASSWORD = "node-pw-5713";

  private final ECKey signingKey = generate();
  private final InMemoryTelemetry coordinatorTelemetry =
      InMemoryTelemetry.forService("coordinator");
  private final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry server2Telemetry = InMemoryTelemetry.forService("server-2");

  /** server-1 holds trips/f1.parquet, server-2 trips/f2.parquet; a row's value tells which. */
  private static final SampleTable F1 = new SampleTable(1_000, 1);

  private static final SampleTable F2 = new SampleTable(2_000, 2);

  private BufferAllocator coordinatorAllocator;
  private BufferAllocator serverAllocator;
  private BufferAllocator server2Allocator;
  private BufferAllocator clientAllocator;
  private Coordinator coordinator;
  private DataServer server;
  private DataServer server2;

  @BeforeAll
  void start(@TempDir Path root) throws Exception {
    Path users = root.resolve("users");
    UsersFile.put(users, "alice", Role.READ, READ_PASSWORD.toCharArray());
    UsersFile.put(users, "walt", Role.WRITE, WRITE_PASSWORD.toCharArray());
    UsersFile.put(users, "node1", Role.NODE, NODE_PASSWORD.toCharArray());
    coordinatorAllocator = new RootAllocator();
    serverAllocator = new RootAllocator();
    server2Allocator = new RootAllocator();
    clientAllocator = new RootAllocator();
    coordinator =
        Coordinator.builder(coordinatorAllocator, coordinatorTelemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .lease(Duration.ofSeconds(2))
            .heartbeatInterval(Duration.ofMillis(200))
            .auth(
                ServerAuth.coordinator(
                    Users.load(users),
                    signingKey,
                    ISSUER,
                    Duration.ofHours(1),
                    InstantSource.system()))
            .build()
            .start();
    Path data = Files.createDirectories(root.resolve("data"));
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = new SampleTable(1_000, 1).reader(allocator, 500)) {
      ParquetFiles.write(allocator, reader, data.resolve("orders.parquet"));
    }
    Path data2 = Files.createDirectories(root.resolve("data2"));
    writeTable(Files.createDirectories(data.resolve("trips")).resolve("f1.parquet"), F1);
    writeTable(Files.createDirectories(data2.resolve("trips")).resolve("f2.parquet"), F2);
    server = dataServer(serverAllocator, serverTelemetry, data, "server-1");
    server2 = dataServer(server2Allocator, server2Telemetry, data2, "server-2");
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              try (Connection connection = jdbc("user=alice&password=" + READ_PASSWORD);
                  Statement statement = connection.createStatement();
                  ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM trips")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getLong(1)).isEqualTo(3_000);
              }
              try (Connection connection = jdbc("user=alice&password=" + READ_PASSWORD)) {
                assertThat(tables(connection)).contains("orders.parquet", "trips");
              }
            });
  }

  private DataServer dataServer(
      BufferAllocator allocator, InMemoryTelemetry telemetry, Path data, String id)
      throws Exception {
    return DataServer.builder(allocator, telemetry.flightTelemetry())
        .location(Location.forGrpcInsecure("127.0.0.1", 0))
        .dataDir(data)
        .serverId(id)
        .coordinators(List.of(Location.forGrpcInsecure("127.0.0.1", coordinator.port())))
        .heartbeatInterval(Duration.ofMillis(200))
        .auth(ServerAuth.dataServer(signingKey.toPublicJWK(), ISSUER, InstantSource.system()))
        .nodeCredentials(
            ClientCredentials.login("node1", NODE_PASSWORD.toCharArray(), InstantSource.system()))
        .build()
        .start();
  }

  private static void writeTable(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 500)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (server2 != null) {
        server2.close();
      }
      if (coordinator != null) {
        coordinator.close();
      }
    } finally {
      clientAllocator.close();
      serverAllocator.close();
      server2Allocator.close();
      coordinatorAllocator.close();
      coordinatorTelemetry.close();
      serverTelemetry.close();
      server2Telemetry.close();
    }
  }

  @Test
  void withoutCredentialsOrWithAWrongPasswordTheDriverIsRefused() {
    // The driver 18.3 lets the FlightRuntimeException of its first call through, unwrapped.
    assertThatThrownBy(() -> tables(jdbc(""))).satisfies(e -> assertUnauthenticated(e));
    assertThatThrownBy(() -> tables(jdbc("user=alice&password=wrong")))
        .satisfies(e -> assertUnauthenticated(e));
  }

  @Test
  void userAndPasswordListTablesAndCountAtTheCoordinator() throws Exception {
    try (Connection connection = jdbc("user=alice&password=" + READ_PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM \"orders.parquet\"")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getLong(1)).isEqualTo(1_000);
    }
  }

  @Test
  void theTokenFromTheHandshakeReadsRowsAtTheDataServer() throws Exception {
    String token = login("alice", READ_PASSWORD);
    try (Connection connection = jdbc("token=" + token);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT id FROM \"orders.parquet\" WHERE id < 10")) {
      int count = 0;
      while (rows.next()) {
        assertThat(rows.getLong("id")).isLessThan(10);
        count++;
      }
      assertThat(count).isEqualTo(10);
    }
  }

  /**
   * The driver 18.3 opens each endpoint location with a copy of its connection settings, user and
   * password included, so it logs in again with a basic handshake at each data server, which holds
   * no users and passes the login on to the coordinator (D92): the rows come from both servers.
   */
  @Test
  void userAndPasswordReadRowsFromBothDataServers() throws Exception {
    Map<Long, Integer> seeds = new HashMap<>();
    int count = 0;
    try (Connection connection = jdbc("user=alice&password=" + READ_PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, \"value\" FROM trips WHERE id < 10")) {
      while (rows.next()) {
        long id = rows.getLong("id");
        assertThat(id).isLessThan(10);
        int seed = (int) Math.round(rows.getDouble("value") - id * 0.25);
        SampleTable table = seed == 1 ? F1 : seed == 2 ? F2 : null;
        assertThat(table).as("row %d comes from f1 or f2", id).isNotNull();
        assertThat(rows.getDouble("value")).isEqualTo(table.value(id));
        seeds.merge(id, seed, Integer::sum);
        count++;
      }
    }
    assertThat(count).isEqualTo(20);
    // Every id once from server-1 (seed 1) and once from server-2 (seed 2).
    assertThat(seeds.values()).hasSize(10).containsOnly(3);
    assertThat(serverTelemetry.spans().toString()).doesNotContain(READ_PASSWORD);
    assertThat(server2Telemetry.spans().toString()).doesNotContain(READ_PASSWORD);
  }

  /**
   * arrow-java's authenticateBasicToken at a data server, as pyarrow's authenticate_basic_token:
   * the data server answers with the coordinator's bearer token, which then works there; a wrong
   * password gets the coordinator's UNAUTHENTICATED.
   */
  @Test
  void basicTokenAuthenticationAtADataServerReturnsATokenThatWorksThere() throws Exception {
    Location at = Location.forGrpcInsecure("127.0.0.1", server.port());
    try (FlightClient client = FlightClient.builder(clientAllocator, at).build()) {
      CredentialCallOption token =
          client.authenticateBasicToken("alice", READ_PASSWORD).orElseThrow();
      List<String> datasets = new ArrayList<>();
      client
          .listFlights(Criteria.ALL, token)
          .forEach(info -> datasets.add(String.join("/", info.getDescriptor().getPath())));
      assertThat(datasets).contains("orders.parquet");
    }
    try (FlightClient client = FlightClient.builder(clientAllocator, at).build()) {
      assertThatThrownBy(() -> client.authenticateBasicToken("alice", "not-it-5519"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
                assertThat(e.status().description())
                    .isEqualTo("wrong user name or password")
                    .doesNotContain("not-it-5519");
              });
    }
  }

  /**
   * Bulk ingest needs the write role; the coordinator writes to the data server as the caller, with
   * a token for the caller it signs itself (D85).
   */
  @Test
  void bulkIngestNeedsTheWriteRoleAndWritesAsTheCaller() throws Exception {
    try (FlightSqlClient sql =
            new FlightSqlClient(
                FlightClient.builder(
                        clientAllocator, Location.forGrpcInsecure("127.0.0.1", coordinator.port()))
                    .build());
        BufferAllocator data = new RootAllocator()) {
      assertThatThrownBy(() -> ingest(sql, data, bearer(login("alice", READ_PASSWORD))))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED));
      assertThat(ingest(sql, data, bearer(login("walt", WRITE_PASSWORD)))).isEqualTo(300);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              try (Connection connection = jdbc("user=alice&password=" + READ_PASSWORD);
                  Statement statement = connection.createStatement();
                  ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM by_walt")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getLong(1)).isEqualTo(300);
              }
            });
  }

  private static long ingest(FlightSqlClient sql, BufferAllocator data, CallOption auth)
      throws Exception {
    try (ArrowReader reader = new SampleTable(300, 3).reader(data, 100)) {
      return sql.executeIngest(
          reader,
          new ExecuteIngestOptions(
              "by_walt",
              TableDefinitionOptions.newBuilder()
                  .setIfNotExist(TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE)
                  .setIfExists(TableExistsOption.TABLE_EXISTS_OPTION_FAIL)
                  .build(),
              null,
              null,
              Map.of()),
          auth);
    }
  }

  private static CallOption bearer(String token) {
    CallHeaders headers = new FlightCallHeaders();
    headers.insert("authorization", "Bearer " + token);
    return new HeaderCallOption(headers);
  }

  /** The basic handshake at the coordinator, as the JDBC driver does it; the bearer token back. */
  private String login(String user, String password) throws Exception {
    BearerCapture capture = new BearerCapture();
    try (FlightClient client =
        FlightClient.builder(
                clientAllocator, Location.forGrpcInsecure("127.0.0.1", coordinator.port()))
            .intercept(capture)
            .build()) {
      CallHeaders headers = new FlightCallHeaders();
      headers.insert(
          "authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
      client.handshake(new HeaderCallOption(headers));
    }
    assertThat(capture.token).as("bearer token").isNotNull();
    return capture.token;
  }

  private Connection jdbc(String credentials) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:arrow-flight-sql://127.0.0.1:"
            + coordinator.port()
            + "/?useEncryption=false"
            + (credentials.isEmpty() ? "" : "&" + credentials),
        new Properties());
  }

  private static List<String> tables(Connection connection) throws SQLException {
    List<String> names = new ArrayList<>();
    try (connection;
        ResultSet rows = connection.getMetaData().getTables(null, null, "%", null)) {
      while (rows.next()) {
        names.add(rows.getString("TABLE_NAME"));
      }
    }
    return names;
  }

  /** Keeps the bearer token a coordinator answers a handshake with. */
  private static final class BearerCapture implements FlightClientMiddleware.Factory {
    private volatile String token;

    @Override
    public FlightClientMiddleware onCallStarted(CallInfo info) {
      return new FlightClientMiddleware() {
        @Override
        public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {}

        @Override
        public void onHeadersReceived(CallHeaders incomingHeaders) {
          String value = incomingHeaders.get("authorization");
          if (value != null && value.startsWith("Bearer ")) {
            token = value.substring("Bearer ".length());
          }
        }

        @Override
        public void onCallCompleted(CallStatus status) {}
      };
    }
  }

  /** Some exception of the chain is the coordinator's UNAUTHENTICATED. */
  private static void assertUnauthenticated(Throwable thrown) {
    List<String> chain = new ArrayList<>();
    for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
      chain.add(cause.toString());
    }
    assertThat(chain).anyMatch(text -> text.contains("UNAUTHENTICATED"));
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
