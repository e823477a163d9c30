package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate call pools under a flood, and the drain on close. */
class ServerLifecycleTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final HealthStatusManager health = new HealthStatusManager();
  private BufferAllocator serverAllocator;
  private BufferAllocator clientAllocator;
  private DataServer server;
  private TracedFlightClient client;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() {
    serverAllocator = new RootAllocator();
    clientAllocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    clientAllocator.close();
    serverAllocator.close();
    telemetry.close();
    clientTelemetry.close();
  }

  private FlightClient start(int batchRows, UnaryOperator<DataServer.Builder> configure)
      throws Exception {
    FlightTelemetry withHealth =
        FlightTelemetry.builder(telemetry.sdk())
            .setServerCustomizer(netty -> netty.addService(health.getHealthService()))
            .build();
    DataServer.Builder builder =
        DataServer.builder(serverAllocator, withHealth)
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .batchRows(batchRows)
            .heartbeatInterval(Duration.ofMillis(100));
    server = configure.apply(builder).build().start();
    client =
        clientTelemetry.flightTelemetry().connect(clientAllocator, server.advertisedLocation());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    return client.flightClient();
  }

  @Test
  void sixteenSilentUploadsLeaveReadsListingsAndHealthAnswering() throws Exception {
    TestData.write(dataDir.resolve("small.parquet"), 0, 1_000);
    FlightClient flight = start(100, builder -> builder.maxConcurrentUploads(8));

    List<SilentUpload> uploads = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      uploads.add(SilentUpload.open(channel));
    }
    // Eight are taken and wait for data that never comes; the eight beyond the limit are told at
    // once.
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () ->
                assertThat(
                        uploads.stream()
                            .filter(upload -> upload.closed.isDone())
                            .map(upload -> upload.closed.join().getCode()))
                    .containsExactlyElementsOf(
                        List.of(
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED,
                            Status.Code.RESOURCE_EXHAUSTED)));
    assertThat(
            uploads.stream()
                .filter(upload -> upload.closed.isDone())
                .map(upload -> upload.closed.join().getDescription()))
        .allSatisfy(description -> assertThat(description).contains("server-1").contains("upload"));

    // Everything else still answers, well within a deadline.
    assertThat(
            HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(DEADLINE.toSeconds(), TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo(ServingStatus.SERVING);
    List<String> names = new ArrayList<>();
    flight
        .listFlights(Criteria.ALL, deadline())
        .forEach(info -> names.add(info.getDescriptor().getPath().get(0)));
    assertThat(names).containsExactly("small.parquet");
    assertThat(readRows(flight, "small.parquet")).isEqualTo(1_000);

    uploads.forEach(SilentUpload::cancel);
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              assertThat(server.openCalls(CallPools.Kind.UPLOAD)).isZero();
              assertThat(serverAllocator.getAllocatedMemory()).isZero();
            });
    try (Stream<Path> files = Files.list(dataDir)) {
      assertThat(
              files
                  .map(path -> path.getFileName().toString())
                  .filter(name -> name.endsWith(".parquet")))
          .containsExactly("small.parquet");
    }
  }

  @Test
  void aStreamThatFinishesWithinTheDrainTimeoutCompletesAndNewCallsAreUnavailable()
      throws Exception {
    TestData.write(dataDir.resolve("big.parquet"), 0, 20_000);
    FlightClient flight = start(100, builder -> builder.drainTimeout(Duration.ofSeconds(60)));
    Ticket ticket = new Ticket("big.parquet".getBytes(StandardCharsets.UTF_8));

    try (FlightStream stream = flight.getStream(ticket)) {
      assertThat(stream.next()).isTrue();
      long rows = stream.getRoot().getRowCount();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      await().atMost(DEADLINE).until(server::draining);

      assertThatThrownBy(() -> flight.listFlights(Criteria.ALL, deadline()).forEach(info -> {}))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE));

      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
      }
      assertThat(rows).isEqualTo(20_000);
      closing.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(server.drainEnded()).isFalse();
    }
  }

  @Test
  void aStreamStillRunningWhenTheDrainTimeoutEndsIsUnavailableNotCancelled() throws Exception {
    TestData.write(dataDir.resolve("big.parquet"), 0, 200_000);
    FlightClient flight = start(100, builder -> builder.drainTimeout(Duration.ofMillis(200)));
    Ticket ticket = new Ticket("big.parquet".getBytes(StandardCharsets.UTF_8));

    try (FlightStream stream = flight.getStream(ticket)) {
      assertThat(stream.next()).isTrue();
      // The client reads nothing until the drain timeout has passed: the stream is still running
      // then.
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      await().atMost(DEADLINE).until(server::drainEnded);

      assertThatThrownBy(
              () -> {
                while (stream.next()) {
                  // what the server had sent before it ended the stream
                }
              })
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
                assertThat(e.status().description()).contains("shutting down");
              });
      closing.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void limitsAndTheDrainTimeoutAreValidated() {
    assertThatThrownBy(
            () ->
                DataServer.builder(serverAllocator, telemetry.flightTelemetry())
                    .maxConcurrentUploads(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                DataServer.builder(serverAllocator, telemetry.flightTelemetry())
                    .drainTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("drainTimeout");
  }

  private static long readRows(FlightClient flight, String name) throws Exception {
    long rows = 0;
    try (FlightStream stream =
        flight.getStream(new Ticket(name.getBytes(StandardCharsets.UTF_8)), deadline())) {
      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
      }
    }
    return rows;
  }

  /**
   * A DoPut that opens the call and never sends a message, as a stalled or hostile client would.
   */
  private record SilentUpload(
      ClientCall<Flight.FlightData, Flight.PutResult> call, CompletableFuture<Status> closed) {
    static SilentUpload open(ManagedChannel channel) {
      ClientCall<Flight.FlightData, Flight.PutResult> call =
          channel.newCall(FlightServiceGrpc.getDoPutMethod(), CallOptions.DEFAULT);
      CompletableFuture<Status> closed = new CompletableFuture<>();
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
              closed.complete(status);
            }
          },
          new Metadata());
      call.request(1);
      return new SilentUpload(call, closed);
    }

    void cancel() {
      call.cancel("the test is done", null);
    }
  }

  /** A Flight call deadline, so a starved server fails the test instead of hanging it. */
  private static CallOption deadline() {
    return org.apache.arrow.flight.CallOptions.timeout(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }
}
