package dev.flightcluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.demo.DemoData;
import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.InMemoryTelemetry;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read whose data server is killed with {@code kill -9} mid-stream (the distribution's processes,
 * decisions D61): it resumes at the other replica right after the last batch the consumer received,
 * and the result equals the file exactly. Logs how much longer the read took than an undisturbed
 * one.
 */
class ResumeIT {
  private static final Logger log = LoggerFactory.getLogger(ResumeIT.class);
  private static final AttributeKey<String> LOCATION = AttributeKey.stringKey("flight.location");
  private static final AttributeKey<Long> RESUME_ROW = AttributeKey.longKey("flight.resume.row");
  private static final SampleTable BIG = new SampleTable(2_000_000, 3);

  @TempDir Path work;

  private OtlpHttpReceiver receiver;
  private BufferAllocator allocator;
  private ProcessCluster cluster;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("client");

  @BeforeEach
  void startCluster() throws Exception {
    receiver = OtlpHttpReceiver.start();
    allocator = new RootAllocator();
    cluster =
        ProcessCluster.start(Distribution.exportingTo(receiver.endpoint()), work, allocator, 1);
    Path file = work.resolve("big.parquet");
    try (BufferAllocator writing = new RootAllocator();
        ArrowReader reader = BIG.reader(writing, 65_536)) {
      ParquetFiles.write(writing, reader, file);
    }
    for (String server : DemoData.SERVERS) {
      // Hidden while copied, so a server's refresh never reads half a file.
      Path hidden = cluster.serverDataDir(server).resolve(".big.parquet.copy");
      Files.copy(file, hidden);
      Files.move(hidden, hidden.resolveSibling("big.parquet"), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      try {
        if (receiver != null) {
          receiver.close();
        }
      } finally {
        telemetry.close();
        if (allocator != null) {
          allocator.close();
        }
      }
    }
  }

  @Test
  void aReadWhoseServerIsKilledResumesAtTheOtherReplicaWithEveryRowOnce() throws Exception {
    try (FlightClusterClient client =
        FlightClusterClient.builder(
                allocator, telemetry.flightTelemetry(), cluster.coordinators().get(0))
            .build()) {
      FlightInfo info =
          await("big.parquet listed with both replicas")
              .atMost(Duration.ofSeconds(120))
              .ignoreExceptions()
              .until(
                  () -> client.info("big.parquet"),
                  i -> i.getEndpoints().get(0).getLocations().size() == 2);
      long undisturbedNanos = timedRead(client, info);

      Location first = info.getEndpoints().get(0).getLocations().get(0);
      Location other = info.getEndpoints().get(0).getLocations().get(1);
      String victim = DemoData.SERVERS.get(cluster.servers().indexOf(first));
      BitSet seen = new BitSet();
      AtomicLong duplicates = new AtomicLong();
      AtomicLong delivered = new AtomicLong();
      CountDownLatch killed = new CountDownLatch(1);
      AtomicLong blockedNanos = new AtomicLong();
      long start = System.nanoTime();
      CompletableFuture<GetResult> read =
          CompletableFuture.supplyAsync(
              () ->
                  client.get(
                      info,
                      BatchConsumer.of(
                          batch -> {
                            for (int i = 0; i < batch.getRowCount(); i++) {
                              int id = (int) BIG.verifyRow(batch, i);
                              if (seen.get(id)) {
                                duplicates.incrementAndGet();
                              }
                              seen.set(id);
                            }
                            // A slow consumer: it holds the stream until the server is dead.
                            if (delivered.addAndGet(batch.getRowCount()) >= 300_000
                                && killed.getCount() > 0) {
                              long waitStart = System.nanoTime();
                              try {
                                killed.await(120, TimeUnit.SECONDS);
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                              }
                              blockedNanos.addAndGet(System.nanoTime() - waitStart);
                            }
                          })));
      await("rows delivered before the kill")
          .atMost(Duration.ofSeconds(120))
          .until(() -> delivered.get() >= 300_000);
      cluster.killServer(victim);
      long killedAtEpochNanos = epochNanosNow();
      killed.countDown();
      GetResult result = read.get(180, TimeUnit.SECONDS);
      long resumedNanos = System.nanoTime() - start - blockedNanos.get();

      assertThat(duplicates.get()).as("rows delivered twice").isZero();
      assertThat(seen.cardinality()).isEqualTo((int) BIG.rows());
      assertThat(result.rows()).isEqualTo(BIG.rows());
      assertThat(result.locationsUsed()).containsExactly(other);
      await()
          .untilAsserted(
              () -> {
                List<SpanData> resumed =
                    telemetry.spans().stream()
                        .filter(
                            s ->
                                s.getName().equals("do_get")
                                    && s.getAttributes().get(RESUME_ROW) != null)
                        .toList();
                assertThat(resumed)
                    .singleElement()
                    .satisfies(
                        span -> {
                          assertThat(span.getAttributes().get(LOCATION))
                              .isEqualTo(other.getUri().toString());
                          assertThat(span.getAttributes().get(RESUME_ROW))
                              .isGreaterThanOrEqualTo(300_000L);
                        });
              });
      SpanData resumedSpan =
          telemetry.spans().stream()
              .filter(
                  s -> s.getName().equals("do_get") && s.getAttributes().get(RESUME_ROW) != null)
              .findFirst()
              .orElseThrow();
      log.info(
          "kill -9 mid-read: the resumed stream started {} ms after the kill (the consumer took the"
              + " batches already received first)",
          TimeUnit.NANOSECONDS.toMillis(resumedSpan.getStartEpochNanos() - killedAtEpochNanos));
      // A measurement, not an assertion (speed belongs to bench/): what the kill cost this read.
      log.info(
          "kill -9 mid-read: undisturbed read {} ms, read resumed after the kill {} ms (consumer's wait"
              + " excluded): the resume cost {} ms",
          TimeUnit.NANOSECONDS.toMillis(undisturbedNanos),
          TimeUnit.NANOSECONDS.toMillis(resumedNanos),
          TimeUnit.NANOSECONDS.toMillis(resumedNanos - undisturbedNanos));
    }
  }

  private static long epochNanosNow() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** A read that does the same work per row as the killed one, for the comparison. */
  private static long timedRead(FlightClusterClient client, FlightInfo info) {
    BitSet seen = new BitSet();
    long start = System.nanoTime();
    GetResult result =
        client.get(
            info,
            BatchConsumer.of(
                batch -> {
                  for (int i = 0; i < batch.getRowCount(); i++) {
                    seen.set((int) BIG.verifyRow(batch, i));
                  }
                }));
    assertThat(result.rows()).isEqualTo(BIG.rows());
    assertThat(seen.cardinality()).isEqualTo((int) BIG.rows());
    return System.nanoTime() - start;
  }
}
