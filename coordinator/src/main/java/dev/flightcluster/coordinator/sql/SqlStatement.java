package dev.flightcluster.coordinator.sql;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.query.SelectStatement;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.CallStatus;

/**
 * A statement the Flight SQL face runs, parsed from its SQL text: a {@link Query} read through the
 * cluster's pushdown, or a {@link Count} answered from the catalog. The text itself is the prepared
 * statement handle (D84), so any coordinator parses it again rather than remembering it.
 */
sealed interface SqlStatement {
  /** Longest statement accepted, in bytes: as long as a query command may be. */
  int MAX_BYTES = QueryCommand.MAX_BYTES;

  /** {@code SELECT <columns or *> FROM t [WHERE ..] [LIMIT n]}: the data servers answer. */
  record Query(QueryCommand command) implements SqlStatement {
    public Query {
      requireNonNull(command, "command is null");
    }
  }

  /** {@code SELECT COUNT(*) FROM t}: the catalog's row count answers. */
  record Count(DatasetName dataset) implements SqlStatement {
    public Count {
      requireNonNull(dataset, "dataset is null");
    }
  }

  /**
   * Parses {@code sql}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT saying what is
   *     supported, for anything but the supported statements or for an invalid dataset name
   */
  static SqlStatement parse(String sql) {
    requireNonNull(sql, "sql is null");
    if (sql.length() > MAX_BYTES) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a statement is " + sql.length() + " characters; at most " + MAX_BYTES)
          .toRuntimeException();
    }
    SelectStatement select = SelectStatement.parse(sql);
    DatasetName dataset = DatasetName.of(select.dataset());
    if (select.countStar()) {
      return new Count(dataset);
    }
    Long limit = select.limit().isPresent() ? select.limit().getAsLong() : null;
    return new Query(new QueryCommand(dataset, select.columns(), select.filter(), limit));
  }

  /**
   * Parses a prepared statement handle, the statement's UTF-8 text.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it is not UTF-8 or
   *     not a supported statement
   */
  static SqlStatement fromHandle(byte[] handle) {
    requireNonNull(handle, "handle is null");
    if (handle.length > MAX_BYTES) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "a prepared statement handle is " + handle.length + " bytes; at most " + MAX_BYTES)
          .toRuntimeException();
    }
    try {
      return parse(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(handle))
              .toString());
    } catch (CharacterCodingException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "not a prepared statement handle of this cluster: create the statement with"
                  + " CreatePreparedStatement")
          .toRuntimeException();
    }
  }
}
