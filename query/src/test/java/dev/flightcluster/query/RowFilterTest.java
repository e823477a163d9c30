package dev.flightcluster.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RowFilterTest {
  /** A dataset partitioned by year (int) and region (string), with one column in its files. */
  private static final Schema PARTITIONED =
      new Schema(
          List.of(
              Field.nullable("fare", new ArrowType.Int(64, true)),
              Field.nullable("year", new ArrowType.Int(64, true)),
              Field.nullable("region", ArrowType.Utf8.INSTANCE),
              Field.nullable("Odd Name", ArrowType.Utf8.INSTANCE)));

  @Test
  void keepsTheTextItWasGiven() {
    RowFilter filter = RowFilter.parse("fare  >  10", PARTITIONED);
    assertThat(filter.sql()).isEqualTo("fare  >  10");
    assertThat(filter).hasToString("fare  >  10");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // unknown columns, case-sensitive
        "fare > 1 AND nope = 2|line 1, column 14|nope",
        "Fare > 1|line 1, column 1|Fare",
        // type mismatches
        "fare = 'x'|line 1, column 1|type mismatch: = compares BIGINT with CHAR",
        "region > 5|line 1, column 1|type mismatch",
        "fare + 1|line 1, column 1|boolean",
        // syntax errors
        "fare >|line 1, column 6|syntax error",
        "fare > 1 AND AND|line 1, column 14|AND",
        "(fare > 1|line 1, column 9|syntax error",
        // unsupported constructs
        "fare IN (SELECT 1)|line 1, column 10|subqueries",
        "upper(region) = 'X'|line 1, column 1|upper is not supported",
        "COUNT(fare) > 1|line 1, column 1|COUNT is not supported",
        "region LIKE '%x'|line 1, column 13|LIKE pattern '%x'",
        "region LIKE 'a_c'|line 1, column 13|LIKE pattern 'a_c'",
        "region LIKE 'a%c%'|line 1, column 13|LIKE pattern",
        "CAST(fare AS VARCHAR) = '1'|line 1, column 1|CAST",
        "fare = ?|line 1, column 8|parameters",
        "region SIMILAR TO 'a'|line 1, column 1|SIMILAR TO",
      })
  void badFiltersAreInvalidArgumentsWithTheirPosition(String sql, String position, String problem) {
    assertThatThrownBy(() -> RowFilter.parse(sql, PARTITIONED))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(position).contains(problem);
            });
  }

  @Test
  void warmUpParsesAndCanBeRepeated() {
    RowFilter.warmUp();
    RowFilter.warmUp();
    assertThat(RowFilter.parse("fare > 1", PARTITIONED).sql()).isEqualTo("fare > 1");
  }

  @Test
  void aFilterIsSharedBetweenThreads() throws Exception {
    RowFilter filter = RowFilter.parse("year = 2024 AND region LIKE 'eu%'", PARTITIONED);
    List<java.util.concurrent.Callable<Boolean>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 32; i++) {
      long year = 2020 + i % 8;
      calls.add(() -> filter.canMatch(Map.of("year", year, "region", "eu-1")) == (year == 2024));
    }
    try (var executor = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      for (var result : executor.invokeAll(calls)) {
        assertThat(result.get()).isTrue();
      }
    }
  }

  @Test
  void filtersFromSelectStatementsParse() {
    String where =
        SelectStatement.parse(
                "SELECT * FROM t WHERE \"Odd Name\" LIKE 'a%' AND year BETWEEN 2020 AND 2024"
                    + " AND fare != 3")
            .filter();
    RowFilter filter = RowFilter.parse(where, PARTITIONED);
    assertThat(filter.canMatch(Map.of("year", 2019L))).isFalse();
    assertThat(filter.canMatch(Map.of("year", 2021L, "Odd Name", "abc"))).isTrue();
  }

  @Test
  void filtersTooLargeForTheNativeScanAreRefused() {
    String values =
        java.util.stream.IntStream.range(0, 501)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(", "));
    assertThatThrownBy(() -> RowFilter.parse("fare IN (" + values + ")", PARTITIONED))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("line 1, column 9").contains("at most 500");
            });
    String allowed =
        java.util.stream.IntStream.range(0, 550)
            .mapToObj(i -> "fare = " + i)
            .collect(java.util.stream.Collectors.joining(" OR "));
    assertThat(RowFilter.parse(allowed, PARTITIONED).canMatch(Map.of())).isTrue();
    String deep = "fare" + " + 1".repeat(100) + " > 1";
    assertThatThrownBy(() -> RowFilter.parse(deep, PARTITIONED))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.getMessage()).contains("nested more than 64 levels"));
    String ors =
        java.util.stream.IntStream.range(0, 700)
            .mapToObj(i -> "fare = " + i)
            .collect(java.util.stream.Collectors.joining(" OR "));
    assertThatThrownBy(() -> RowFilter.parse(ors, PARTITIONED))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("more than 1200 operators");
            });
  }

  @Test
  void quotedNamesReachOddColumns() {
    RowFilter filter = RowFilter.parse("\"Odd Name\" = 'x'", PARTITIONED);
    assertThat(filter.canMatch(Map.of("Odd Name", "y"))).isFalse();
  }

  @Test
  void canMatchFoldsKnownPartitionValues() {
    RowFilter filter = RowFilter.parse("year = 2024 AND fare > 10", PARTITIONED);
    assertThat(filter.canMatch(Map.of("year", 2024L))).isTrue();
    assertThat(filter.canMatch(Map.of("year", 2023L))).isFalse();
    assertThat(filter.canMatch(Map.of())).isTrue();
  }

  @Test
  void canMatchFollowsThreeValuedLogic() {
    Map<String, Object> nullYear = new HashMap<>();
    nullYear.put("year", null);
    assertThat(RowFilter.parse("year = 2024", PARTITIONED).canMatch(nullYear)).isFalse();
    assertThat(RowFilter.parse("NOT (year = 2024)", PARTITIONED).canMatch(nullYear)).isFalse();
    assertThat(RowFilter.parse("year IS NULL", PARTITIONED).canMatch(nullYear)).isTrue();
    assertThat(RowFilter.parse("year = 2024 OR fare > 1", PARTITIONED).canMatch(nullYear)).isTrue();
  }

  @Test
  void canMatchOnEveryOperator() {
    Map<String, Object> known = Map.of("year", 2024L, "region", "eu-west");
    assertThat(matches("year IN (2023, 2024)", known)).isTrue();
    assertThat(matches("year NOT IN (2023, 2024)", known)).isFalse();
    assertThat(matches("year BETWEEN 2020 AND 2023", known)).isFalse();
    assertThat(matches("year NOT BETWEEN 2020 AND 2023", known)).isTrue();
    assertThat(matches("region LIKE 'eu-%'", known)).isTrue();
    assertThat(matches("region LIKE 'us-%'", known)).isFalse();
    assertThat(matches("region NOT LIKE 'eu%'", known)).isFalse();
    assertThat(matches("region = 'eu-west' AND year + 1 = 2025", known)).isTrue();
    assertThat(matches("year * 2 > 5000", known)).isFalse();
    assertThat(matches("region <> 'eu-west' OR year < 2000", known)).isFalse();
    assertThat(matches("region <> 'eu-west' OR fare < 2000", known)).isTrue();
  }

  @Test
  void partitionValuesOfAnotherTypeLeaveTheColumnUnknown() {
    assertThat(matches("year = 2024", Map.of("year", "not-a-number"))).isTrue();
  }

  private static boolean matches(String sql, Map<String, Object> known) {
    return RowFilter.parse(sql, PARTITIONED).canMatch(known);
  }
}
