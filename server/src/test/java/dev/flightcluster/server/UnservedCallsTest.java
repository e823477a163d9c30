package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a data server does not serve: UNIMPLEMENTED, saying what it does serve, so a generic Flight
 * client (ADBC, pyarrow) learns it asked the wrong service rather than that it sent a bad request.
 */
class UnservedCallsTest {
  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private BufferAllocator allocator;
  private DataServer server;
  private TracedFlightClient client;
  private FlightClient flight;

  @BeforeEach
  void setUp() throws Exception {
    allocator = new RootAllocator();
    TestData.write(dataDir.resolve("ok.parquet"), 0, 3);
    server =
        DataServer.builder(allocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .build()
            .start();
    client = telemetry.flightTelemetry().connect(allocator, server.advertisedLocation());
    flight = client.flightClient();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
    allocator.close();
    telemetry.close();
  }

  @Test
  void listActionsAnswersWithTheActionsServedWhichAreThoseOfAParallelPut() {
    assertThat(
            StreamSupport.stream(flight.listActions().spliterator(), false)
                .map(ActionType::getType))
        .containsExactly(ClusterActions.COMMIT_PUT, ClusterActions.ABORT_PUT);
  }

  @Test
  void anActionIsUnimplementedAndPointsAtTheCoordinator() {
    String description =
        unimplemented(
            () ->
                flight
                    .doAction(
                        new Action(
                            ClusterActions.CHOOSE_SERVER, "{}".getBytes(StandardCharsets.UTF_8)))
                    .next());
    assertThat(description)
        .contains("'choose_server'")
        .contains("serves only commit_put and abort_put")
        .contains("coordinator")
        .contains(ClusterActions.SAY_HELLO)
        .contains(ClusterActions.LIST_CONFLICTS);
    unimplemented(() -> flight.doAction(new Action("reboot")).next());
  }

  @Test
  void commandDescriptorsAreUnimplementedForEveryDescriptorCall() {
    FlightDescriptor command =
        FlightDescriptor.command("SELECT * FROM ok".getBytes(StandardCharsets.UTF_8));
    assertThat(unimplemented(() -> flight.getInfo(command))).contains("PATH descriptors");
    unimplemented(() -> flight.getSchema(command));
    Schema schema = new Schema(List.of(Field.nullable("x", new ArrowType.Int(32, true))));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(command, root, new AsyncPutListener());
      put.completed();
      assertThat(unimplemented(put::getResult)).contains("PATH descriptors");
    }
  }

  @Test
  void doExchangeIsUnimplementedNamingTheCallsServed() throws Exception {
    try (FlightClient.ExchangeReaderWriter exchange =
        flight.doExchange(FlightDescriptor.path("ok.parquet"))) {
      assertThat(unimplemented(() -> exchange.getReader().next()))
          .contains("DoGet")
          .contains("DoPut");
    }
  }

  private static String unimplemented(ThrowingCallable call) {
    String[] description = new String[1];
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED);
              description[0] = e.status().description();
            });
    return description[0];
  }
}
