package dev.flightcluster.cli.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Nested values (struct, list, large list, fixed-size list, map) as compact JSON for one CSV cell.
 * Nulls stay: a null struct field is written {@code "name":null}, never dropped, and a null element
 * stays in its list. A struct is an object of its fields in order; a map is what Arrow stores, a
 * list of {@code {"key":...,"value":...}} entries, since keys need not be strings or unique.
 * Numbers are JSON numbers (non-finite floats, which JSON cannot hold, are the strings {@code
 * "NaN"}, {@code "Infinity"}, {@code "-Infinity"}); everything else is a string in the form {@link
 * CsvText} gives it at the top level.
 */
final class NestedJson {
  private static final JsonFactory JSON = new JsonFactory();

  private NestedJson() {}

  /** Whether {@code vector} holds nested values, which a CSV cell carries as JSON. */
  static boolean isNested(FieldVector vector) {
    return vector instanceof StructVector
        || vector instanceof BaseListVector
        || vector instanceof LargeListVector;
  }

  /** The JSON text of the non-null nested value at {@code row}. */
  static String of(FieldVector vector, int row) {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(text)) {
      write(json, vector, row);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot render a nested value as JSON", e); // a StringWriter never fails
    }
    return text.toString();
  }

  private static void write(JsonGenerator json, FieldVector vector, int row) throws IOException {
    if (vector.isNull(row)) {
      json.writeNull();
      return;
    }
    switch (vector) {
      case StructVector struct -> {
        json.writeStartObject();
        for (FieldVector child : struct.getChildrenFromFields()) {
          json.writeFieldName(child.getName());
          write(json, child, row);
        }
        json.writeEndObject();
      }
      case LargeListVector list -> {
        json.writeStartArray();
        FieldVector elements = list.getDataVector();
        for (long i = list.getElementStartIndex(row); i < list.getElementEndIndex(row); i++) {
          write(json, elements, Math.toIntExact(i));
        }
        json.writeEndArray();
      }
      case BaseListVector list -> {
        json.writeStartArray();
        FieldVector elements = list.getChildrenFromFields().get(0);
        for (int i = list.getElementStartIndex(row); i < list.getElementEndIndex(row); i++) {
          write(json, elements, i);
        }
        json.writeEndArray();
      }
      case BitVector bits -> json.writeBoolean(bits.get(row) != 0);
      case UInt1Vector u -> json.writeNumber(Byte.toUnsignedInt(u.get(row)));
      case UInt2Vector u -> json.writeNumber((int) u.get(row));
      case UInt4Vector u -> json.writeNumber(Integer.toUnsignedLong(u.get(row)));
      case UInt8Vector u -> json.writeNumber(Long.toUnsignedString(u.get(row)));
      case BaseIntVector ints -> json.writeNumber(ints.getValueAsLong(row));
      case FloatingPointVector floats -> {
        String text = CsvText.scalar(vector, row);
        if (Double.isFinite(floats.getValueAsDouble(row))) {
          json.writeNumber(text);
        } else {
          json.writeString(text);
        }
      }
      default -> {
        if (CsvSink.isText(vector)) {
          json.writeString(vector.getObject(row).toString());
        } else if (vector.getObject(row) instanceof BigDecimal decimal) {
          json.writeNumber(decimal);
        } else {
          json.writeString(CsvText.scalar(vector, row));
        }
      }
    }
  }
}
