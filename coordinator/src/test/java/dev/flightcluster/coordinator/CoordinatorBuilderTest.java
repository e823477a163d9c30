package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.testing.InMemoryTelemetry;
import java.time.Duration;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoordinatorBuilderTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("coordinator");

  @AfterEach
  void tearDown() {
    telemetry.close();
    allocator.close();
  }

  @Test
  void aLocationIsRequired() {
    assertThatThrownBy(() -> builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("location");
  }

  @Test
  void theHeartbeatIntervalMustBeShorterThanTheLease() {
    assertThatThrownBy(
            () ->
                builder()
                    .location(local())
                    .lease(Duration.ofSeconds(2))
                    .heartbeatInterval(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter than the lease");
    assertThatThrownBy(() -> builder().location(local()).lease(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().executorThreads(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder().drainTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("drainTimeout");
  }

  @Test
  void callbackLimitsMustBePositive() {
    assertThatThrownBy(() -> builder().callbackThreads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callbackThreads");
    assertThatThrownBy(
            () -> builder().location(local()).callbackConnectTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callbackConnectTimeout");
    assertThatThrownBy(
            () -> builder().location(local()).callbackTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callbackTimeout");
  }

  @Test
  void startsOnAnEphemeralPortAndClosesTwiceWithoutLeaking() throws Exception {
    Coordinator coordinator = builder().location(local()).build().start();

    assertThat(coordinator.port()).isPositive();
    assertThat(coordinator.location())
        .isEqualTo(Location.forGrpcInsecure("127.0.0.1", coordinator.port()));
    coordinator.close();
    coordinator.close();
  }

  @Test
  void aCoordinatorThatNeverStartedStillCloses() throws Exception {
    builder().location(local()).build().close();
  }

  private CoordinatorBuilder builder() {
    return Coordinator.builder(allocator, telemetry.flightTelemetry());
  }

  private static Location local() {
    return Location.forGrpcInsecure("127.0.0.1", 0);
  }
}
