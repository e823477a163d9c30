package dev.flightcluster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.testing.FakeClock;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A data server that stops sending (SIGSTOP, a wedged disk) must not hang a read that has another
 * replica. Without the progress timeout and the connect timeout each of these reads waits forever;
 * the class timeout turns that into a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StalledServerTest {
  // Long enough that a cold JVM on a busy machine still connects and starts a healthy stream in
  // time.
  private static final Duration SHORT = Duration.ofSeconds(2);

  private Cluster cluster;
  private FakeClock clock;
  private FlightClusterClient client;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
    clock = new FakeClock();
    client =
        FlightClusterClient.builder(
                cluster.allocator,
                cluster.clientTelemetry.flightTelemetry(),
                cluster.coordinator.location())
            .progressTimeout(SHORT)
            .connectTimeout(SHORT)
            .clock(clock)
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    cluster.close();
  }

  @Test
  void aServerThatSendsTheSchemaAndThenNothingIsLeftForTheReplica() {
    cluster.serverA.serve("sales.parquet", 0, 10, FakeDataServer.Ending.STALL);
    cluster.serverB.serve("sales.parquet", 3, 10);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result = client.get(replicated("sales.parquet", 30), consumer);

    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 30));
    assertThat(result.locationsUsed()).containsExactly(cluster.serverB.location());
    await().until(() -> cluster.serverA.cancelledStreams() == 1);
    SpanData failed = GetTest.named(cluster.clientTelemetry.spans(), "do_get").get(0);
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getStatus().getDescription())
        .contains(cluster.serverA.location().getUri().toString())
        .contains("sent nothing for 2s before the first batch (progress timeout)");
    await().untilAsserted(() -> assertThat(cluster.allocator.getAllocatedMemory()).isZero());
  }

  @Test
  void aServerThatSendsNothingAtAllIsLeftForTheReplica() {
    cluster.serverA.serve("sales.parquet", 3, 10, FakeDataServer.Ending.SILENT);
    cluster.serverB.serve("sales.parquet", 3, 10);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result = client.get(replicated("sales.parquet", 30), consumer);

    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 30));
    assertThat(result.locationsUsed()).containsExactly(cluster.serverB.location());
    await().until(() -> cluster.serverA.cancelledStreams() == 1);
  }

  @Test
  void aServerThatAcceptsConnectionsAndNeverAnswersIsLeftAfterTheConnectTimeout() throws Exception {
    cluster.serverB.serve("sales.parquet", 3, 10);
    try (Blackhole stopped = new Blackhole()) {
      CollectingConsumer consumer = CollectingConsumer.all();

      GetResult result =
          client.get(
              info("sales.parquet", 30, stopped.location(), cluster.serverB.location()), consumer);

      assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 30));
      assertThat(result.locationsUsed()).containsExactly(cluster.serverB.location());
      assertThat(stopped.connections()).isPositive();
      SpanData connect = GetTest.named(cluster.clientTelemetry.spans(), "connect").get(0);
      assertThat(connect.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(connect.getStatus().getDescription())
          .contains("no connection to " + stopped.location().getUri())
          .contains("within the connect timeout of 2s");
    }
  }

  @Test
  void aStallAfterTheFirstBatchFailsUnavailableWithoutReadingTheReplica() {
    cluster.serverA.serve("sales.parquet", 1, 10, FakeDataServer.Ending.STALL);
    cluster.serverB.serve("sales.parquet", 3, 10);
    CollectingConsumer consumer = CollectingConsumer.all();

    assertThatThrownBy(() -> client.get(replicated("sales.parquet", 30), consumer))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
              assertThat(e.status().description())
                  .contains(cluster.serverA.location().getUri().toString())
                  .contains("sent nothing for 2s after 1 batch (progress timeout)");
            });
    assertThat(consumer.rows).as("no row twice").isEqualTo(TestData.expectedRows(0, 10));
    assertThat(cluster.serverB.doGets()).isZero();
    await().until(() -> cluster.serverA.cancelledStreams() == 1);
    await().untilAsserted(() -> assertThat(cluster.allocator.getAllocatedMemory()).isZero());
  }

  @Test
  void aSlowConsumerIsNotAStalledServer() {
    cluster.serverA.serve("sales.parquet", 2, 10);
    long[] rows = {0};
    GetResult result =
        client.get(
            info("sales.parquet", 20, cluster.serverA.location()),
            batch -> {
              // Slow on purpose, longer than the progress timeout per batch: the behaviour under
              // test, not a wait for some state.
              try {
                Thread.sleep(SHORT.plusMillis(500).toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
              }
              rows[0] += batch.getRowCount();
              return true;
            });

    assertThat(result.complete()).isTrue();
    assertThat(rows[0]).isEqualTo(20);
  }

  @Test
  void aStalledServerGoesLastForLaterReadsUntilItsSkipEnds() {
    cluster.serverA.serve("sales.parquet", 0, 10, FakeDataServer.Ending.STALL);
    cluster.serverB.serve("sales.parquet", 3, 10);

    client.get(replicated("sales.parquet", 30), CollectingConsumer.all());
    assertThat(cluster.serverA.doGets()).isEqualTo(1);

    // The FlightInfo still lists A first; the client knows better for a while.
    GetResult second = client.get(replicated("sales.parquet", 30), CollectingConsumer.all());
    assertThat(second.locationsUsed()).containsExactly(cluster.serverB.location());
    assertThat(cluster.serverA.doGets()).isEqualTo(1);

    clock.advance(FlightClusterClientBuilder.DEFAULT_FAILED_PEER_SKIP);
    cluster.serverA.serve("sales.parquet", 3, 10); // it recovered
    GetResult third = client.get(replicated("sales.parquet", 30), CollectingConsumer.all());
    assertThat(third.locationsUsed()).containsExactly(cluster.serverA.location());
    assertThat(cluster.serverA.doGets()).isEqualTo(2);
  }

  private FlightInfo replicated(String name, long rows) {
    return info(name, rows, cluster.serverA.location(), cluster.serverB.location());
  }

  private static FlightInfo info(String name, long rows, Location... locations) {
    DatasetName dataset = DatasetName.of(name);
    return new FlightInfo(
        TestData.SCHEMA,
        Descriptors.of(dataset),
        List.of(new FlightEndpoint(Tickets.of(dataset), locations)),
        -1,
        rows);
  }
}
