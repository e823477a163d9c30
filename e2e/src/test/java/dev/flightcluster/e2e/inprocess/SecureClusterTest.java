package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.Principal;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.TokenIssuer;
import dev.flightcluster.auth.Users;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.protocol.ChooseServer;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.security.ClusterKeys;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.InMemoryTelemetry;
import dev.flightcluster.testing.SampleTable;
import dev.flightcluster.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two coordinators sharing a signing key and a data server holding only the verify key, with users
 * of every role: who gets in, with which status, and that no secret leaks into spans or logs. Runs
 * in plaintext; {@link TlsSecureClusterTest} runs the same cases with every hop on TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecureClusterTest {
  private static final String ISSUER = "flight-cluster";
  private static final String READ_PASSWORD = "reader-pw-4711";
  private static final String WRITE_PASSWORD = "writer-pw-4712";
  private static final String NODE_PASSWORD = "node-pw-4713";
  private static final String ROGUE_PASSWORD = "rogue-pw-4714";
  private static final List<String> PASSWORDS =
      List.of(READ_PASSWORD, WRITE_PASSWORD, NODE_PASSWORD, ROGUE_PASSWORD);

  private final ECKey signingKey = generate();
  private final InMemoryTelemetry coordinatorTelemetry =
      InMemoryTelemetry.forService("coordinator");
  private final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<String> tokensSeen = new ArrayList<>();
  private BufferAllocator coordinatorAllocator;
  private BufferAllocator serverAllocator;
  private BufferAllocator clientAllocator;
  private Coordinator a;
  private Coordinator b;
  private DataServer server;
  private TlsSettings serving = TlsSettings.plaintext();
  private TlsSettings trusting = TlsSettings.plaintext();
  private byte[] trustedCa;

  /**
   * The TLS keys of the cluster, written into {@code directory}: every node serves with their node
   * certificate and every node and client trusts their CA. None here: this cluster runs in
   * plaintext.
   *
   * @return the keys, or null for plaintext
   */
  TestKeys writeKeys(Path directory) {
    return null;
  }

  @BeforeAll
  void start(@TempDir Path root) throws Exception {
    TestKeys keys = writeKeys(root.resolve("keys"));
    if (keys != null) {
      serving = keys.server();
      trusting = keys.client();
      trustedCa = Files.readAllBytes(keys.file(ClusterKeys.CA_CERTIFICATE));
    }
    logs.start();
    rootLogger().addAppender(logs);
    Path users = root.resolve("users");
    UsersFile.put(users, "alice", Role.READ, READ_PASSWORD.toCharArray());
    UsersFile.put(users, "walt", Role.WRITE, WRITE_PASSWORD.toCharArray());
    UsersFile.put(users, "node1", Role.NODE, NODE_PASSWORD.toCharArray());
    UsersFile.put(users, "rogue", Role.NODE, ROGUE_PASSWORD.toCharArray());
    Users loaded = Users.load(users);
    coordinatorAllocator = new RootAllocator();
    serverAllocator = new RootAllocator();
    clientAllocator = new RootAllocator();
    a = startCoordinator(loaded);
    b = startCoordinator(loaded);
    Path data = Files.createDirectories(root.resolve("data"));
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = new SampleTable(1_000, 1).reader(allocator, 500)) {
      ParquetFiles.write(allocator, reader, data.resolve("orders.parquet"));
    }
    server =
        DataServer.builder(serverAllocator, serverTelemetry.flightTelemetry())
            .location(serving.location("127.0.0.1", 0))
            .tls(serving)
            .dataDir(data)
            .serverId("server-1")
            .coordinators(List.of(local(a.port()), local(b.port())))
            .heartbeatInterval(Duration.ofMillis(200))
            .auth(ServerAuth.dataServer(signingKey.toPublicJWK(), ISSUER, InstantSource.system()))
            .nodeCredentials(
                ClientCredentials.login(
                    "node1", NODE_PASSWORD.toCharArray(), InstantSource.system()))
            .build()
            .start();
    String token = login(a, "alice", READ_PASSWORD);
    for (Coordinator coordinator : List.of(a, b)) {
      // A coordinator answers UNAVAILABLE while it warms up (until it has heard from the server).
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptionsMatching(
              e ->
                  e instanceof FlightRuntimeException flight
                      && flight.status().code() == FlightStatusCode.UNAVAILABLE)
          .untilAsserted(
              () -> assertThat(names(coordinator, bearer(token))).contains("orders.parquet"));
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      for (Coordinator coordinator : new Coordinator[] {a, b}) {
        if (coordinator != null) {
          coordinator.close();
        }
      }
    } finally {
      rootLogger().detachAppender(logs);
      clientAllocator.close();
      serverAllocator.close();
      coordinatorAllocator.close();
      coordinatorTelemetry.close();
      serverTelemetry.close();
      clientTelemetry.close();
    }
  }

  @Test
  void theCoordinatorRefusesNoCredentialsAndAnswersUnknownUserAndWrongPasswordAlike()
      throws Exception {
    try (FlightClient client = client(a.port())) {
      assertStatus(
          () -> client.listFlights(Criteria.ALL).forEach(info -> {}),
          FlightStatusCode.UNAUTHENTICATED);
      FlightRuntimeException wrongPassword =
          assertStatus(
              () -> client.handshake(basic("alice", "not-her-password")),
              FlightStatusCode.UNAUTHENTICATED);
      FlightRuntimeException unknownUser =
          assertStatus(
              () -> client.handshake(basic("mallory", READ_PASSWORD)),
              FlightStatusCode.UNAUTHENTICATED);
      assertThat(unknownUser.getMessage()).isEqualTo(wrongPassword.getMessage());
    }
  }

  /**
   * A data server holds no users: it passes a basic login on to a coordinator (D92) and answers
   * with the coordinator's token, which then works there; a wrong password gets the coordinator's
   * UNAUTHENTICATED, the same as an unknown user's.
   */
  @Test
  void theDataServerRefusesNoCredentialsAndPassesBasicLoginsOnToACoordinator() throws Exception {
    try (FlightClient client = client(server.port())) {
      assertStatus(
          () -> client.listFlights(Criteria.ALL).forEach(info -> {}),
          FlightStatusCode.UNAUTHENTICATED);
      FlightRuntimeException wrongPassword =
          assertStatus(
              () -> client.handshake(basic("alice", "not-her-password")),
              FlightStatusCode.UNAUTHENTICATED);
      FlightRuntimeException unknownUser =
          assertStatus(
              () -> client.handshake(basic("mallory", READ_PASSWORD)),
              FlightStatusCode.UNAUTHENTICATED);
      assertThat(unknownUser.getMessage()).isEqualTo(wrongPassword.getMessage());
    }
    BearerCapture capture = new BearerCapture();
    try (FlightClient client = clientBuilder(server.port()).intercept(capture).build()) {
      client.handshake(basic("alice", READ_PASSWORD));
    }
    assertThat(capture.token).as("bearer token from the data server").isNotNull();
    synchronized (tokensSeen) {
      tokensSeen.add(capture.token);
    }
    try (FlightClient client = client(server.port())) {
      List<String> names = new ArrayList<>();
      client
          .listFlights(Criteria.ALL, bearer(capture.token))
          .forEach(info -> names.add(String.join("/", info.getDescriptor().getPath())));
      assertThat(names).contains("orders.parquet");
    }
  }

  @Test
  void expiredForgedAndGarbledTokensAreRefusedAtCoordinatorsAndDataServers() throws Exception {
    Principal alice = new Principal("alice", Role.READ);
    InstantSource twoHoursAgo = InstantSource.offset(InstantSource.system(), Duration.ofHours(-2));
    String expired =
        new TokenIssuer(signingKey, ISSUER, Duration.ofHours(1), twoHoursAgo).issue(alice).value();
    String forged =
        new TokenIssuer(generate(), ISSUER, Duration.ofHours(1), InstantSource.system())
            .issue(alice)
            .value();
    String garbled = "eyJhbGciOiJFUzI1NiJ9.garbled.token";
    for (int port : new int[] {a.port(), server.port()}) {
      try (FlightClient client = client(port)) {
        for (String token : List.of(expired, forged, garbled)) {
          FlightRuntimeException refused =
              assertStatus(
                  () -> client.listFlights(Criteria.ALL, bearer(token)).forEach(info -> {}),
                  FlightStatusCode.UNAUTHENTICATED);
          assertThat(refused.getMessage()).doesNotContain(token);
        }
      }
    }
  }

  @Test
  void aReadUserMayNotUploadAndAWriteUserMayNotRegisterAServer() throws Exception {
    CallOption alice = bearer(login(b, "alice", READ_PASSWORD));
    try (FlightClient coordinator = client(a.port());
        FlightClient data = client(server.port())) {
      assertStatus(
          () ->
              action(
                  coordinator, ClusterActions.CHOOSE_SERVER, new ChooseServer("x.parquet"), alice),
          FlightStatusCode.UNAUTHORIZED);
      try (VectorSchemaRoot root = VectorSchemaRoot.create(SampleTable.SCHEMA, clientAllocator)) {
        SyncPutListener listener = new SyncPutListener();
        FlightClient.ClientStreamListener put =
            data.startPut(FlightDescriptor.path("x.parquet"), root, listener, alice);
        assertStatus(
            () -> {
              put.completed();
              put.getResult();
            },
            FlightStatusCode.UNAUTHORIZED);
        listener.close();
      }
      CallOption walt = bearer(login(a, "walt", WRITE_PASSWORD));
      Hello hello = new Hello("server-9", "grpc://127.0.0.1:1", 1);
      assertStatus(
          () -> action(coordinator, ClusterActions.SAY_HELLO, hello, walt),
          FlightStatusCode.UNAUTHORIZED);
    }
  }

  @Test
  void sayHelloNeedsAGrpcLocationAndCannotTakeOverAnotherNodesServerId() throws Exception {
    CallOption rogue = bearer(login(a, "rogue", ROGUE_PASSWORD));
    CallOption alice = bearer(login(a, "alice", READ_PASSWORD));
    try (FlightClient coordinator = client(a.port())) {
      String before = locations(coordinator, alice);
      assertStatus(
          () ->
              action(
                  coordinator,
                  ClusterActions.SAY_HELLO,
                  new Hello("rogue-1", "file:///etc/passwd", 1),
                  rogue),
          FlightStatusCode.INVALID_ARGUMENT);
      assertStatus(
          () ->
              action(
                  coordinator,
                  ClusterActions.SAY_HELLO,
                  new Hello("server-1", "grpc://127.0.0.1:1", 1),
                  rogue),
          FlightStatusCode.UNAUTHORIZED);
      assertThat(locations(coordinator, alice)).isEqualTo(before).contains(":" + server.port());
    }
  }

  @Test
  void aTokenFromOneCoordinatorServesAtTheOtherAndAtTheDataServer() throws Exception {
    CallOption alice = bearer(login(a, "alice", READ_PASSWORD));
    try (FlightClient other = client(b.port());
        FlightClient data = client(server.port())) {
      FlightInfo info = other.getInfo(FlightDescriptor.path("orders.parquet"), alice);
      long rows = 0;
      try (FlightStream stream = data.getStream(info.getEndpoints().get(0).getTicket(), alice)) {
        while (stream.next()) {
          rows += stream.getRoot().getRowCount();
        }
      }
      assertThat(rows).isEqualTo(1_000);
    }
  }

  @Test
  void aWriteUsersUploadIsListedAtEveryCoordinator() throws Exception {
    try (FlightClusterClient client =
        FlightClusterClient.builder(
                clientAllocator,
                clientTelemetry.flightTelemetry(),
                List.of(local(a.port()), local(b.port())))
            .tls(trusting)
            .user("walt", WRITE_PASSWORD.toCharArray())
            .build()) {
      try (ArrowReader reader = new SampleTable(300, 5).reader(clientAllocator, 100)) {
        client.put("uploaded.parquet", reader);
      }
      assertThat(client.list(""))
          .extracting(FlightInfo::getDescriptor)
          .contains(FlightDescriptor.path("uploaded.parquet"));
    }
    CallOption alice = bearer(login(a, "alice", READ_PASSWORD));
    for (Coordinator coordinator : List.of(a, b)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(names(coordinator, alice)).contains("uploaded.parquet"));
    }
  }

  @Test
  void noPasswordOrTokenAppearsInSpansOrLogs() throws Exception {
    // Failures too: their messages and stack traces are what usually leaks.
    login(a, "walt", WRITE_PASSWORD);
    try (FlightClient client = client(a.port())) {
      assertStatus(
          () -> client.handshake(basic("walt", WRITE_PASSWORD + "x")),
          FlightStatusCode.UNAUTHENTICATED);
      assertStatus(
          () ->
              client
                  .listFlights(Criteria.ALL, bearer("garbled-" + WRITE_PASSWORD))
                  .forEach(info -> {}),
          FlightStatusCode.UNAUTHENTICATED);
    }
    // Logins a data server passes on to a coordinator (D92), refused and accepted.
    try (FlightClient client = client(server.port())) {
      assertStatus(
          () -> client.handshake(basic("walt", WRITE_PASSWORD + "x")),
          FlightStatusCode.UNAUTHENTICATED);
      client.handshake(basic("walt", WRITE_PASSWORD));
    }
    List<String> secrets = new ArrayList<>(PASSWORDS);
    synchronized (tokensSeen) {
      secrets.addAll(tokensSeen);
    }
    secrets.add(
        Base64.getEncoder()
            .encodeToString(("walt:" + WRITE_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    List<String> recorded =
        Stream.of(coordinatorTelemetry, serverTelemetry, clientTelemetry)
            .flatMap(telemetry -> telemetry.spans().stream())
            .map(Object::toString)
            .toList();
    List<String> logged =
        logs.list.stream()
            .map(
                event ->
                    event.getFormattedMessage()
                        + (event.getThrowableProxy() == null
                            ? ""
                            : event.getThrowableProxy().getMessage()))
            .toList();
    assertThat(recorded).isNotEmpty();
    assertThat(logged).isNotEmpty();
    for (String secret : secrets) {
      assertThat(recorded).noneMatch(text -> text.contains(secret));
      assertThat(logged).noneMatch(text -> text.contains(secret));
    }
  }

  private Coordinator startCoordinator(Users users) throws Exception {
    return Coordinator.builder(coordinatorAllocator, coordinatorTelemetry.flightTelemetry())
        .location(serving.location("127.0.0.1", 0))
        .tls(serving)
        .lease(Duration.ofSeconds(2))
        .heartbeatInterval(Duration.ofMillis(200))
        .auth(
            ServerAuth.coordinator(
                users, signingKey, ISSUER, Duration.ofHours(1), InstantSource.system()))
        .build()
        .start();
  }

  /**
   * pyarrow's authenticate_basic_token: a handshake with basic credentials, the token in the reply
   * headers.
   */
  private String login(Coordinator coordinator, String user, String password) {
    BearerCapture capture = new BearerCapture();
    try (FlightClient client = clientBuilder(coordinator.port()).intercept(capture).build()) {
      client.handshake(basic(user, password));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    assertThat(capture.token).as("bearer token for " + user).isNotNull();
    synchronized (tokensSeen) {
      tokensSeen.add(capture.token);
    }
    return capture.token;
  }

  private List<String> names(Coordinator coordinator, CallOption auth) throws Exception {
    try (FlightClient client = client(coordinator.port())) {
      return StreamSupport.stream(client.listFlights(Criteria.ALL, auth).spliterator(), false)
          .map(info -> String.join("/", info.getDescriptor().getPath()))
          .toList();
    }
  }

  private String locations(FlightClient client, CallOption auth) {
    return client.getInfo(FlightDescriptor.path("orders.parquet"), auth).getEndpoints().toString();
  }

  private static void action(FlightClient client, String type, Object body, CallOption auth) {
    client.doAction(new Action(type, Messages.encode(body)), auth).forEachRemaining(result -> {});
  }

  private FlightClient client(int port) {
    return clientBuilder(port).build();
  }

  /** A plain Flight client, as pyarrow's: over TLS it trusts the cluster's CA. */
  private FlightClient.Builder clientBuilder(int port) {
    FlightClient.Builder builder = FlightClient.builder(clientAllocator, local(port));
    if (trustedCa != null) {
      builder.trustedCertificates(new ByteArrayInputStream(trustedCa));
    }
    return builder;
  }

  private Location local(int port) {
    return serving.location("127.0.0.1", port);
  }

  private static CallOption basic(String user, String password) {
    CallHeaders headers = new FlightCallHeaders();
    headers.insert(
        "authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return new HeaderCallOption(headers);
  }

  private static CallOption bearer(String token) {
    CallHeaders headers = new FlightCallHeaders();
    headers.insert("authorization", "Bearer " + token);
    return new HeaderCallOption(headers);
  }

  private static FlightRuntimeException assertStatus(Runnable call, FlightStatusCode code) {
    FlightRuntimeException[] thrown = new FlightRuntimeException[1];
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).as(e.getMessage()).isEqualTo(code);
              thrown[0] = e;
            });
    return thrown[0];
  }

  private static Logger rootLogger() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
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
}
