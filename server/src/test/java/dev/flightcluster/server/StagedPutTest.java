package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.AbortPut;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.CommitPut;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A parallel put's shards at one data server: DoPut stages them, commit_put and abort_put. */
class StagedPutTest {
  private static final String PUT = "00112233aabbccdd";

  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private BufferAllocator allocator;
  private DataServer server;
  private TracedFlightClient client;
  private FlightClient flight;

  @BeforeEach
  void setUp() throws Exception {
    allocator = new RootAllocator();
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

  private void putShard(int index, long firstId, int rows) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, allocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(
              FlightDescriptor.path("trips/" + PutParts.stagedName(PUT, index)),
              root,
              new AsyncPutListener());
      TestData.fill(root, firstId, rows);
      put.putNext();
      put.completed();
      put.getResult();
    }
  }

  private void action(String type, Object body) {
    flight.doAction(new Action(type, Messages.encode(body))).forEachRemaining(result -> {});
  }

  private List<FlightInfo> listing() {
    return StreamSupport.stream(flight.listFlights(Criteria.ALL).spliterator(), false).toList();
  }

  @Test
  void stagedShardsAreListedOnlyAfterTheCommitAndReadExactly() {
    putShard(0, 0, 100);
    putShard(1, 100, 50);
    assertThat(listing()).isEmpty();

    action(ClusterActions.COMMIT_PUT, new CommitPut("trips", PUT, 2, false));

    List<FlightInfo> infos = listing();
    assertThat(infos).hasSize(1);
    assertThat(infos.get(0).getDescriptor().getPath()).containsExactly("trips");
    assertThat(infos.get(0).getRecords()).isEqualTo(150);
    assertThat(dataDir.resolve("trips").resolve(PutParts.committedName(PUT, 1, 2))).exists();
  }

  @Test
  void anAbortedPutLeavesNothingAndItsCommitIsNotFound() {
    putShard(0, 0, 10);

    action(ClusterActions.ABORT_PUT, new AbortPut("trips", PUT));

    FlightRuntimeException failure =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () -> action(ClusterActions.COMMIT_PUT, new CommitPut("trips", PUT, 1, false)));
    assertThat(failure.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
    assertThat(listing()).isEmpty();
  }

  @Test
  void aMalformedCommitIsInvalidArgument() {
    FlightRuntimeException failure =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () ->
                flight
                    .doAction(
                        new Action(ClusterActions.COMMIT_PUT, "{\"name\":\"trips\"}".getBytes()))
                    .forEachRemaining(result -> {}));
    assertThat(failure.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
  }
}
