package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Writes batches as RFC 4180 CSV: a header row of field names, CRLF line ends, fields quoted when
 * they hold a comma, a quote, CR or LF, quotes doubled inside. Nulls are empty fields. Timestamps
 * with a time zone are written as ISO-8601 instants, binary as Base64, nested values as Arrow's
 * JSON-like rendering.
 */
final class CsvSink implements BatchSink {
  private static final String CRLF = "\r\n";

  private final Path target;
  private Path temp;
  private Writer out;
  private long rows;
  private boolean finished;

  CsvSink(Path target) {
    this.target = requireNonNull(target, "target is null");
  }

  @Override
  public void write(VectorSchemaRoot batch) throws IOException {
    open(batch.getSchema());
    List<FieldVector> vectors = batch.getFieldVectors();
    int rowCount = batch.getRowCount();
    for (int row = 0; row < rowCount; row++) {
      for (int column = 0; column < vectors.size(); column++) {
        if (column > 0) {
          out.write(',');
        }
        out.write(quote(value(vectors.get(column), row)));
      }
      out.write(CRLF);
    }
    rows += rowCount;
  }

  @Override
  public void finish(Schema schemaIfEmpty) throws IOException {
    open(schemaIfEmpty);
    out.close();
    out = null;
    TempFiles.moveIntoPlace(temp, target);
    finished = true;
  }

  @Override
  public long rows() {
    return rows;
  }

  private void open(Schema schema) throws IOException {
    if (out != null || finished) {
      return;
    }
    temp = TempFiles.besides(target);
    out = new BufferedWriter(Files.newBufferedWriter(temp, StandardCharsets.UTF_8), 1 << 16);
    List<Field> fields = schema.getFields();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(quote(fields.get(i).getName()));
    }
    out.write(CRLF);
  }

  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.close();
      }
    } finally {
      if (!finished && temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** The text of one value; empty for null. */
  static String value(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return "";
    }
    if (vector instanceof TimeStampVector timestamps
        && vector.getField().getType() instanceof ArrowType.Timestamp type
        && type.getTimezone() != null) {
      return instant(timestamps.get(row), type).toString();
    }
    Object value = vector.getObject(row);
    if (value instanceof Text text) {
      return text.toString();
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof java.math.BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return String.valueOf(value);
  }

  private static Instant instant(long value, ArrowType.Timestamp type) {
    return switch (type.getUnit()) {
      case SECOND -> Instant.ofEpochSecond(value);
      case MILLISECOND -> Instant.ofEpochMilli(value);
      case MICROSECOND ->
          Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
      case NANOSECOND ->
          Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
    };
  }

  /** Quotes a field when RFC 4180 requires it. */
  static String quote(String field) {
    boolean needsQuotes = false;
    for (int i = 0; i < field.length() && !needsQuotes; i++) {
      char c = field.charAt(i);
      needsQuotes = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    return needsQuotes ? '"' + field.replace("\"", "\"\"") + '"' : field;
  }
}
