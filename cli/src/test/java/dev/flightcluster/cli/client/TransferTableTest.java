package dev.flightcluster.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransferTableTest {
  @Test
  void rowsAndTotals() {
    TransferTable table = new TransferTable();
    table.add("sensor_readings.parquet", 1_000_000, 50_000_000, 0.5);
    table.add("orders.parquet", 2_000, 100_000, 0.0);
    table.addFailure("taxi_trips.parquet", "UNAVAILABLE: no live location");
    assertThat(table.failures()).isEqualTo(1);
    assertThat(table.totalRows()).isEqualTo(1_002_000);
    assertThat(table.render(1.0))
        .isEqualTo(
            """
            flight                        rows       bytes  seconds   MB/s
            sensor_readings.parquet  1,000,000  50,000,000    0.500  100.0
            orders.parquet               2,000     100,000    0.000      -
            taxi_trips.parquet               -           -        -      -  FAILED: UNAVAILABLE: no live location
            --------------------------------------------------------------
            total                    1,002,000  50,100,000    1.000   50.1
            """);
  }
}
