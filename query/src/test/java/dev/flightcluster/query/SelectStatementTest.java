package dev.flightcluster.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectStatementTest {
  @Test
  void starWithWhereAndLimit() {
    SelectStatement statement =
        SelectStatement.parse("SELECT * FROM \"trips\" WHERE fare > 10 LIMIT 5");
    assertThat(statement.dataset()).isEqualTo("trips");
    assertThat(statement.columns()).isEmpty();
    assertThat(statement.filter()).isEqualTo("\"fare\" > 10");
    assertThat(statement.limit()).isEqualTo(OptionalLong.of(5));
    assertThat(statement.countStar()).isFalse();
  }

  @Test
  void columnsKeepTheirCaseAndOrder() {
    SelectStatement statement = SelectStatement.parse("select Fare, \"odd name\", id from Trips");
    assertThat(statement.dataset()).isEqualTo("Trips");
    assertThat(statement.columns()).containsExactly("Fare", "odd name", "id");
    assertThat(statement.filter()).isNull();
    assertThat(statement.limit()).isEmpty();
  }

  @Test
  void quotedDatasetNamesWithPathCharacters() {
    assertThat(SelectStatement.parse("SELECT * FROM \"dir/sales.parquet\"").dataset())
        .isEqualTo("dir/sales.parquet");
    assertThat(SelectStatement.parse("SELECT * FROM \"year=2024/part.parquet\"").dataset())
        .isEqualTo("year=2024/part.parquet");
  }

  @Test
  void qualifiedNamesKeepTheLastPart() {
    assertThat(SelectStatement.parse("SELECT * FROM \"cluster\".\"datasets\".\"trips\"").dataset())
        .isEqualTo("trips");
    assertThat(SelectStatement.parse("SELECT * FROM datasets.trips").dataset()).isEqualTo("trips");
  }

  @Test
  void columnsQualifiedByTheTableLoseTheQualifierInTheFilter() {
    assertThat(
            SelectStatement.parse("SELECT * FROM \"trips\" WHERE \"trips\".\"fare\" > 10").filter())
        .isEqualTo("\"fare\" > 10");
  }

  @Test
  void keywordsWorkAsColumnNames() {
    SelectStatement statement =
        SelectStatement.parse("SELECT year, day FROM t WHERE year = 2024 AND month <> 1");
    assertThat(statement.columns()).containsExactly("year", "day");
    assertThat(statement.filter()).isEqualTo("\"year\" = 2024 AND \"month\" <> 1");
  }

  @Test
  void countStar() {
    SelectStatement statement = SelectStatement.parse("SELECT COUNT(*) FROM trips");
    assertThat(statement.countStar()).isTrue();
    assertThat(statement.columns()).isEmpty();
    assertThat(statement.filter()).isNull();
  }

  @Test
  void whereClauseRoundTripsThroughRowFilterSyntax() {
    SelectStatement statement =
        SelectStatement.parse(
            "SELECT a FROM t WHERE (a > 1 OR b IN ('x', 'it''s')) AND c BETWEEN DATE '2024-01-01'"
                + " AND DATE '2024-02-01' AND d LIKE 'ab%' AND e IS NOT NULL");
    assertThat(statement.filter())
        .isEqualTo(
            "(\"a\" > 1 OR \"b\" IN ('x', 'it''s')) AND \"c\" BETWEEN ASYMMETRIC DATE '2024-01-01'"
                + " AND DATE '2024-02-01' AND \"d\" LIKE 'ab%' AND \"e\" IS NOT NULL");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT * FROM a JOIN b ON a.x = b.x|line 1, column 17|joins",
        "SELECT * FROM t ORDER BY x|line 1, column 17|ORDER BY",
        "SELECT x, COUNT(*) FROM t GROUP BY x|line 1, column 27|GROUP BY",
        "SELECT x + 1 FROM t|line 1, column 8|expressions",
        "SELECT x AS y FROM t|line 1, column 8|aliases",
        "SELECT DISTINCT x FROM t|line 1, column 1|DISTINCT",
        "SELECT * FROM (SELECT * FROM t)|line 1, column 16|subqueries",
        "INSERT INTO t VALUES (1)|line 1, column 1|INSERT",
        "DELETE FROM t|line 1, column 1|DELETE",
        "SELECT * FROM t LIMIT 10 OFFSET 5|line 1, column 33|OFFSET",
        "SELECT 1|line 1, column 1|FROM",
        "SELECT * FROM t, u|line 1, column 16|joins",
        "SELECT * FRM t|line 1, column 14|syntax error",
      })
  void refusesWhatIsNotSupportedWithPosition(String sql, String position, String problem) {
    assertThatThrownBy(() -> SelectStatement.parse(sql))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains(position).contains(problem);
            });
  }

  @Test
  void recordCopiesColumns() {
    assertThat(new SelectStatement("t", List.of("a"), null, OptionalLong.empty(), false).columns())
        .containsExactly("a");
  }
}
