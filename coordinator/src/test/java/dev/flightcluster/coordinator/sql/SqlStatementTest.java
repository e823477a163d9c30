package dev.flightcluster.coordinator.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.QueryCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

class SqlStatementTest {
  @Test
  void aSelectBecomesTheQueryCommandOfItsPushdown() {
    SqlStatement statement = SqlStatement.parse("SELECT id, city FROM trips WHERE id < 10 LIMIT 5");
    assertThat(statement).isInstanceOf(SqlStatement.Query.class);
    QueryCommand command = ((SqlStatement.Query) statement).command();
    assertThat(command.dataset()).isEqualTo(DatasetName.of("trips"));
    assertThat(command.columns()).containsExactly("id", "city");
    assertThat(command.filter()).isNotBlank();
    assertThat(command.limit()).isEqualTo(5L);
  }

  @Test
  void countStarIsACount() {
    assertThat(SqlStatement.parse("SELECT COUNT(*) FROM \"dir/sales.parquet\""))
        .isEqualTo(new SqlStatement.Count(DatasetName.of("dir/sales.parquet")));
  }

  @Test
  void theHandleIsTheStatementText() {
    byte[] handle = "SELECT * FROM trips".getBytes(StandardCharsets.UTF_8);
    assertThat(SqlStatement.fromHandle(handle))
        .isEqualTo(
            new SqlStatement.Query(
                new QueryCommand(DatasetName.of("trips"), List.of(), null, null)));
  }

  @Test
  void aHandleThatIsNotUtf8OrNotAStatementIsInvalidArgument() {
    for (byte[] handle :
        List.of(
            new byte[] {(byte) 0xff, (byte) 0xfe},
            "DROP TABLE trips".getBytes(StandardCharsets.UTF_8))) {
      assertThatThrownBy(() -> SqlStatement.fromHandle(handle))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    }
  }
}
