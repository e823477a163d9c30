package dev.flightcluster.query;

import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * The one way this package reports a caller's SQL mistake: INVALID_ARGUMENT whose message says what
 * is wrong and where ("line 1, column 12"), taken from the positions Calcite's parser gives.
 */
final class SqlErrors {
  private SqlErrors() {}

  /** A mistake at {@code pos} in the text {@code what} names ("filter", "statement"). */
  static FlightRuntimeException invalid(String what, SqlParserPos pos, String problem) {
    return CallStatus.INVALID_ARGUMENT
        .withDescription(
            "invalid "
                + what
                + " at line "
                + pos.getLineNum()
                + ", column "
                + pos.getColumnNum()
                + ": "
                + problem)
        .toRuntimeException();
  }

  /** A syntax error the parser found. */
  static FlightRuntimeException syntax(String what, SqlParseException e) {
    SqlParserPos pos = e.getPos() == null ? SqlParserPos.ZERO : e.getPos();
    // Calcite's message repeats the position and then lists every token it expected; the first
    // line is what a person needs.
    String message = firstLine(e.getMessage());
    return invalid(what, pos, "syntax error: " + message);
  }

  /** A validation error (unknown column, type mismatch) the validator found. */
  static FlightRuntimeException validation(String what, CalciteContextException e) {
    SqlParserPos pos = new SqlParserPos(e.getPosLine(), e.getPosColumn());
    String message = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
    return invalid(what, pos, firstLine(message));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "not understood";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
