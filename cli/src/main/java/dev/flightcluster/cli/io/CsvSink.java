package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes batches as RFC 4180 CSV through Jackson's CSV generator: a header row of the field names,
 * LF line ends, quotes doubled inside quoted fields (docs/decisions.md D40).
 *
 * <p>Quoting carries the type, so that null and the empty string differ: every string, binary
 * (Base64) and nested (JSON, see {@link NestedJson}) value is quoted, always, and nothing else is.
 * A null is an empty unquoted field; the empty string is {@code ""}. The one exception is a row
 * whose only field is null: an empty line is what every CSV reader skips, so such a null is written
 * as the unquoted word {@value #LONE_NULL}, which pyarrow and pandas read as null by default (a
 * string "NULL" is quoted and so stays a string). Numbers, booleans, dates, times and timestamps
 * are unquoted, in the forms {@link CsvText} gives them.
 */
final class CsvSink implements BatchSink {
  /** The null of a row that has one field, where an empty field would be an empty line. */
  static final String LONE_NULL = "NULL";

  private static final CsvFactory CSV =
      CsvFactory.builder()
          .enable(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS)
          .enable(CsvGenerator.Feature.ALWAYS_QUOTE_EMPTY_STRINGS)
          .build();

  private static final CsvSchema FORMAT =
      CsvSchema.emptySchema().withoutHeader().withLineSeparator("\n").withNullValue("");

  private final Path target;
  private Path temp;
  private FileChannel channel;
  private CsvGenerator out;
  private long rows;
  private boolean finished;

  CsvSink(Path target) {
    this.target = requireNonNull(target, "target is null");
  }

  @Override
  public void write(VectorSchemaRoot batch) throws IOException {
    write(batch, null);
  }

  /**
   * Writes a dictionary-encoded column's values, looked up in {@code dictionaries}, not its
   * indices.
   */
  @Override
  public void write(VectorSchemaRoot batch, DictionaryProvider dictionaries) throws IOException {
    open(batch.getSchema());
    List<FieldVector> vectors = batch.getFieldVectors();
    FieldVector[] values = new FieldVector[vectors.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = dictionaryValues(vectors.get(i), dictionaries);
    }
    boolean loneColumn = vectors.size() == 1;
    int rowCount = batch.getRowCount();
    for (int row = 0; row < rowCount; row++) {
      out.writeStartArray();
      for (int i = 0; i < values.length; i++) {
        FieldVector vector = vectors.get(i);
        if (values[i] != null && !vector.isNull(row)) {
          writeValue(
              values[i], Math.toIntExact(((BaseIntVector) vector).getValueAsLong(row)), loneColumn);
        } else {
          writeValue(vector, row, loneColumn);
        }
      }
      out.writeEndArray();
    }
    rows += rowCount;
  }

  /** The dictionary of a dictionary-encoded column, or null for a plain one. */
  private static FieldVector dictionaryValues(FieldVector vector, DictionaryProvider dictionaries)
      throws IOException {
    DictionaryEncoding encoding = vector.getField().getDictionary();
    if (encoding == null) {
      return null;
    }
    Dictionary dictionary = dictionaries == null ? null : dictionaries.lookup(encoding.getId());
    if (dictionary == null) {
      throw new IOException(
          "column '"
              + vector.getName()
              + "' arrived dictionary-encoded without its dictionary "
              + encoding.getId());
    }
    return dictionary.getVector();
  }

  private void writeValue(FieldVector vector, int row, boolean loneColumn) throws IOException {
    if (vector.isNull(row)) {
      if (loneColumn) {
        out.writeRawValue(LONE_NULL);
      } else {
        out.writeNull();
      }
    } else if (isText(vector)) {
      out.writeString(vector.getObject(row).toString());
    } else if (isBinary(vector)) {
      out.writeString(CsvText.base64((byte[]) vector.getObject(row)));
    } else if (NestedJson.isNested(vector)) {
      out.writeString(NestedJson.of(vector, row));
    } else {
      String text = CsvText.scalar(vector, row);
      if (needsQuotes(text)) {
        out.writeString(text); // only the free-form text of a type CsvText has no form for
      } else {
        out.writeRawValue(text);
      }
    }
  }

  private static boolean needsQuotes(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        return true;
      }
    }
    return text.isEmpty();
  }

  /** Whether the vector holds strings. */
  static boolean isText(FieldVector vector) {
    return switch (vector.getField().getType().getTypeID()) {
      case Utf8, LargeUtf8, Utf8View -> true;
      default -> false;
    };
  }

  private static boolean isBinary(FieldVector vector) {
    return switch (vector.getField().getType().getTypeID()) {
      case Binary, LargeBinary, FixedSizeBinary, BinaryView -> true;
      default -> false;
    };
  }

  @Override
  public void finish(Schema schemaIfEmpty) throws IOException {
    open(schemaIfEmpty);
    out.writeEndArray();
    out.flush();
    channel.force(true);
    out.close(); // closes the channel too
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
    channel =
        FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    out =
        CSV.createGenerator(
            new BufferedWriter(
                new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8),
                1 << 16));
    out.setSchema(FORMAT);
    // Rows are arrays inside one outer array: the generator drops a null that sits directly in a
    // root-level array, taking it for a missing row.
    out.writeStartArray();
    out.writeStartArray();
    for (Field field : schema.getFields()) {
      out.writeString(field.getName());
    }
    out.writeEndArray();
  }

  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.close();
      }
      if (channel != null) {
        channel.close();
      }
    } finally {
      if (!finished && temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }
}
