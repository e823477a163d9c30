package dev.flightcluster.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"sales.parquet", "trips", "year=2024", "a b.parquet", "données.parquet"})
  void acceptsRelativeNames(String value) {
    assertThat(DatasetName.of(value).value()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a/./b",
        "a//b",
        "a/",
        ".flight-staging/x",
        "a\\b",
        "nul\u0000byte",
        "..",
      })
  void refusesNamesThatCouldLeaveTheDataDir(String value) {
    assertThatThrownBy(() -> DatasetName.of(value))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.status().description()).startsWith("invalid dataset name");
            });
  }

  @ParameterizedTest
  @ValueSource(ints = {DatasetName.MAX_LENGTH + 1, 10_000})
  void refusesOverlongNames(int length) {
    assertThatThrownBy(() -> DatasetName.of("x".repeat(length)))
        .isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining("longer than");
  }
}
