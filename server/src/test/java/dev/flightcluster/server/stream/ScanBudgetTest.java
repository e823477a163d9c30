package dev.flightcluster.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ScanBudgetTest {
  private static final long MIB = 1 << 20;

  @Test
  void aScanIsEstimatedByTheLargestFileItReadsPlusDecodedBatches() {
    // One file: its bytes, then decoded batches capped at DECODE_BYTES.
    assertThat(ScanBudget.estimate(List.of(1000 * MIB)))
        .isEqualTo(1000 * MIB + ScanBudget.DECODE_BYTES);
    // A small file cannot decode into much more than itself.
    assertThat(ScanBudget.estimate(List.of(10 * MIB))).isEqualTo(20 * MIB);
    // Many files: a stream reads one at a time, so the largest counts.
    assertThat(ScanBudget.estimate(List.of(1 * MIB, 50 * MIB, 40 * MIB, 30 * MIB)))
        .isEqualTo(100 * MIB);
  }

  @Test
  void reservationsShareTheBudgetAndAreReturnedOnce() throws Exception {
    ScanBudget budget = new ScanBudget(100 * MIB);
    ScanBudget.Reservation first = budget.reserve(60 * MIB, Duration.ofSeconds(5), () -> false);
    assertThat(first.bytes()).isEqualTo(60 * MIB);
    assertThat(budget.availableBytes()).isEqualTo(40 * MIB);

    // Does not fit: times out empty-handed and takes nothing.
    assertThat(budget.reserve(50 * MIB, Duration.ofMillis(50), () -> false)).isNull();
    assertThat(budget.availableBytes()).isEqualTo(40 * MIB);

    first.close();
    first.close();
    assertThat(budget.availableBytes()).isEqualTo(100 * MIB);
  }

  @Test
  void aWaitingReservationGetsTheBudgetOnceItIsReturned() throws Exception {
    ScanBudget budget = new ScanBudget(100 * MIB);
    ScanBudget.Reservation first = budget.reserve(80 * MIB, Duration.ofSeconds(5), () -> false);
    CompletableFuture<ScanBudget.Reservation> second =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return budget.reserve(80 * MIB, Duration.ofSeconds(20), () -> false);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    first.close();
    try (ScanBudget.Reservation granted = second.get()) {
      assertThat(granted).isNotNull();
      assertThat(budget.availableBytes()).isEqualTo(20 * MIB);
    }
  }

  @Test
  void aReservationLargerThanTheBudgetTakesTheWholeBudget() throws Exception {
    ScanBudget budget = new ScanBudget(100 * MIB);
    try (ScanBudget.Reservation all =
        budget.reserve(5000 * MIB, Duration.ofSeconds(5), () -> false)) {
      assertThat(all.bytes()).isEqualTo(100 * MIB);
      assertThat(budget.availableBytes()).isZero();
    }
    assertThat(budget.availableBytes()).isEqualTo(100 * MIB);
  }

  @Test
  void aCancelledCallerStopsWaiting() throws Exception {
    ScanBudget budget = new ScanBudget(10 * MIB);
    try (ScanBudget.Reservation all =
        budget.reserve(10 * MIB, Duration.ofSeconds(5), () -> false)) {
      AtomicBoolean cancelled = new AtomicBoolean(true);
      assertThat(budget.reserve(MIB, Duration.ofMinutes(10), cancelled::get)).isNull();
    }
  }

  @Test
  void theBudgetMustHoldAtLeastOneMebibyte() {
    assertThatThrownBy(() -> new ScanBudget(1000)).isInstanceOf(IllegalArgumentException.class);
  }
}
