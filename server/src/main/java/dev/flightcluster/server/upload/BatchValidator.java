package dev.flightcluster.server.upload;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthViewVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.apache.arrow.vector.validate.ValidateUtil;

/**
 * Checks an uploaded record batch completely before anything reads its values: every buffer large
 * enough for its vector, offsets non-negative, non-decreasing and inside their data, views inside
 * their data buffers, children long enough for their parents, dictionary indices inside their
 * dictionary. The native Parquet writer trusts all of that; a batch that lies about it made it read
 * memory the client never sent (stored, or a SIGSEGV).
 *
 * <p>Leaf vectors go through arrow-java's full validation ({@link
 * ValueVectorUtility#validateFull}); nested vectors are walked here, because arrow-java's walk
 * refuses fixed-size lists and views (ValidateVectorDataVisitor throws
 * UnsupportedOperationException for them) and those are legitimate uploads.
 */
public final class BatchValidator {
  private BatchValidator() {}

  /**
   * Validates the batch now in {@code root}.
   *
   * @param batch the batch's number in the upload, from 1, for the message
   * @throws FlightRuntimeException INVALID_ARGUMENT naming the column and what is inconsistent
   */
  public static void validate(VectorSchemaRoot root, DictionaryProvider dictionaries, long batch) {
    requireNonNull(root, "root is null");
    requireNonNull(dictionaries, "dictionaries is null");
    int rows = root.getRowCount();
    if (rows < 0) {
      throw invalid(batch, null, "its row count is negative (" + rows + ")");
    }
    for (FieldVector vector : root.getFieldVectors()) {
      String column = vector.getField().getName();
      if (vector.getValueCount() != rows) {
        throw invalid(
            batch,
            column,
            "it holds " + vector.getValueCount() + " values but the batch has " + rows + " rows");
      }
      check(vector, column, batch);
      DictionaryEncoding encoding = vector.getField().getDictionary();
      if (encoding != null) {
        checkDictionary(vector, encoding, dictionaries, column, batch);
      }
    }
  }

  private static void checkDictionary(
      FieldVector indices,
      DictionaryEncoding encoding,
      DictionaryProvider dictionaries,
      String column,
      long batch) {
    Dictionary dictionary = dictionaries.lookup(encoding.getId());
    if (dictionary == null) {
      throw invalid(batch, column, "its dictionary (id " + encoding.getId() + ") was never sent");
    }
    FieldVector values = dictionary.getVector();
    check(values, column + " (dictionary)", batch);
    if (!(indices instanceof BaseIntVector ints)) {
      throw invalid(batch, column, "its dictionary indices are not integers");
    }
    long size = values.getValueCount();
    for (int i = 0; i < indices.getValueCount(); i++) {
      if (indices.isNull(i)) {
        continue;
      }
      long index = ints.getValueAsLong(i);
      if (index < 0 || index >= size) {
        throw invalid(
            batch,
            column,
            "row "
                + i
                + " refers to dictionary entry "
                + index
                + " but the dictionary has "
                + size
                + " entries");
      }
    }
  }

  private static void check(ValueVector vector, String column, long batch) {
    try {
      walk(vector, column, batch);
    } catch (ValidateUtil.ValidateException e) {
      // Arrow's validation messages name the buffer and the numbers that disagree; they are ours to
      // show.
      throw invalid(batch, column, e.getMessage());
    } catch (IndexOutOfBoundsException e) {
      throw invalid(batch, column, "a buffer is shorter than its vector needs");
    }
  }

  private static void walk(ValueVector vector, String column, long batch) {
    int count = vector.getValueCount();
    switch (vector) {
      // arrow-java 18.3's full validation knows no float16 and refuses decimals that use their
      // whole
      // precision (its check is precision < declared): both are checked here instead.
      case Float2Vector v -> checkFixedWidth(v, Float2Vector.TYPE_WIDTH, column, batch);
      case DecimalVector v -> {
        checkFixedWidth(v, DecimalVector.TYPE_WIDTH, column, batch);
        checkDecimals(v, v.getPrecision(), column, batch);
      }
      case Decimal256Vector v -> {
        checkFixedWidth(v, Decimal256Vector.TYPE_WIDTH, column, batch);
        checkDecimals(v, v.getPrecision(), column, batch);
      }
      case BaseFixedWidthVector v -> ValueVectorUtility.validateFull(v);
      // Structure and offsets, not UTF-8: the writer stores bytes, and arrow-java's UTF-8 scan of
      // every string was the largest part of an upload's Java time (decisions D90).
      case BaseVariableWidthVector v -> {
        ValueVectorUtility.validate(v);
        checkData(
            v.getDataBuffer(),
            checkOffsets(v.getOffsetBuffer(), count, 4, column, batch),
            column,
            batch);
      }
      case BaseLargeVariableWidthVector v -> {
        ValueVectorUtility.validate(v);
        checkData(
            v.getDataBuffer(),
            checkOffsets(v.getOffsetBuffer(), count, 8, column, batch),
            column,
            batch);
      }
      case NullVector v -> ValueVectorUtility.validateFull(v);
      case BaseVariableWidthViewVector v -> checkViews(v, column, batch);
      case ExtensionTypeVector<?> v -> walk(v.getUnderlyingVector(), column, batch);
      case ListVector v -> {
        checkValidity(v, count, column, batch);
        long last = checkOffsets(v.getOffsetBuffer(), count, 4, column, batch);
        checkChild(v.getDataVector(), last, column + "[]", batch);
      }
      case LargeListVector v -> {
        checkValidity(v, count, column, batch);
        long last = checkOffsets(v.getOffsetBuffer(), count, 8, column, batch);
        checkChild(v.getDataVector(), last, column + "[]", batch);
      }
      case FixedSizeListVector v -> {
        checkValidity(v, count, column, batch);
        checkChild(v.getDataVector(), (long) count * v.getListSize(), column + "[]", batch);
      }
      case NonNullableStructVector v -> {
        if (v.getValidityBuffer() != null && v.getField().isNullable()) {
          checkValidity(v, count, column, batch);
        }
        for (FieldVector child : v.getChildrenFromFields()) {
          checkChild(child, count, column + "." + child.getField().getName(), batch);
        }
      }
      default ->
          throw invalid(
              batch,
              column,
              "its type " + vector.getField().getType() + " is not accepted in uploads");
    }
  }

  /**
   * @param path the child's column path: {@code list[]} for list items, {@code struct.field}
   */
  private static void checkChild(ValueVector child, long needed, String path, long batch) {
    if (child == null) {
      if (needed > 0) {
        throw invalid(batch, path, "its parent refers to " + needed + " values but it is missing");
      }
      return;
    }
    if (child.getValueCount() < needed) {
      throw invalid(
          batch,
          path,
          "it holds " + child.getValueCount() + " values but its parent refers to " + needed);
    }
    walk(child, path, batch);
  }

  private static void checkFixedWidth(
      BaseFixedWidthVector vector, int width, String column, long batch) {
    int count = vector.getValueCount();
    checkValidity(vector, count, column, batch);
    if ((long) count * width > vector.getDataBuffer().capacity()) {
      throw invalid(
          batch,
          column,
          "its data buffer holds fewer than " + count + " values of " + width + " bytes");
    }
  }

  private static void checkDecimals(
      BaseFixedWidthVector vector, int precision, String column, long batch) {
    BigInteger limit = BigInteger.TEN.pow(precision);
    for (int i = 0; i < vector.getValueCount(); i++) {
      if (!vector.isNull(i)
          && ((BigDecimal) vector.getObject(i)).unscaledValue().abs().compareTo(limit) >= 0) {
        throw invalid(
            batch, column, "value " + i + " has more digits than its precision " + precision);
      }
    }
  }

  private static void checkValidity(ValueVector vector, int count, String column, long batch) {
    ArrowBuf validity = vector.getValidityBuffer();
    if (count > 0 && (validity == null || validity.capacity() * 8 < count)) {
      throw invalid(batch, column, "its validity buffer holds fewer than " + count + " bits");
    }
  }

  /** Checks {@code count + 1} offsets of {@code width} bytes; returns the last one. */
  /** The data a string or binary vector's last offset points to lies inside its data buffer. */
  private static void checkData(ArrowBuf data, long last, String column, long batch) {
    long capacity = data == null ? 0 : data.capacity();
    if (last > capacity) {
      throw invalid(
          batch,
          column,
          "its last offset (" + last + ") lies past its data buffer (" + capacity + " bytes)");
    }
  }

  private static long checkOffsets(
      ArrowBuf offsets, int count, int width, String column, long batch) {
    if (count == 0) {
      return 0;
    }
    long needed = (long) (count + 1) * width;
    if (offsets == null || offsets.capacity() < needed) {
      throw invalid(
          batch,
          column,
          "its offset buffer holds "
              + (offsets == null ? 0 : offsets.capacity())
              + " bytes, "
              + needed
              + " needed for "
              + count
              + " values");
    }
    long previous = width == 4 ? offsets.getInt(0) : offsets.getLong(0);
    if (previous < 0) {
      throw invalid(batch, column, "its first offset is negative (" + previous + ")");
    }
    for (int i = 1; i <= count; i++) {
      long offset = width == 4 ? offsets.getInt((long) i * 4) : offsets.getLong((long) i * 8);
      if (offset < previous) {
        throw invalid(
            batch,
            column,
            "its offsets decrease at position " + i + " (" + previous + ", then " + offset + ")");
      }
      previous = offset;
    }
    return previous;
  }

  private static void checkViews(BaseVariableWidthViewVector vector, String column, long batch) {
    int count = vector.getValueCount();
    checkValidity(vector, count, column, batch);
    ArrowBuf views = vector.getDataBuffer();
    long needed = (long) count * BaseVariableWidthViewVector.ELEMENT_SIZE;
    if (count > 0 && (views == null || views.capacity() < needed)) {
      throw invalid(
          batch,
          column,
          "its view buffer holds fewer than the "
              + needed
              + " bytes its "
              + count
              + " values need");
    }
    List<ArrowBuf> data = vector.getDataBuffers();
    for (int i = 0; i < count; i++) {
      if (vector.isNull(i)) {
        continue;
      }
      long view = (long) i * BaseVariableWidthViewVector.ELEMENT_SIZE;
      int length = views.getInt(view);
      if (length < 0) {
        throw invalid(
            batch, column, "the view of row " + i + " has a negative length (" + length + ")");
      }
      if (length <= BaseVariableWidthViewVector.INLINE_SIZE) {
        continue;
      }
      int bufferIndex = views.getInt(view + 8);
      int offset = views.getInt(view + 12);
      if (bufferIndex < 0 || bufferIndex >= data.size()) {
        throw invalid(
            batch,
            column,
            "the view of row "
                + i
                + " refers to data buffer "
                + bufferIndex
                + " of "
                + data.size());
      }
      if (offset < 0 || (long) offset + length > data.get(bufferIndex).capacity()) {
        throw invalid(
            batch,
            column,
            "the view of row "
                + i
                + " covers bytes "
                + offset
                + " to "
                + ((long) offset + length)
                + " of data buffer "
                + bufferIndex
                + ", which holds "
                + data.get(bufferIndex).capacity());
      }
    }
  }

  private static FlightRuntimeException invalid(long batch, String column, String what) {
    return CallStatus.INVALID_ARGUMENT
        .withDescription(
            "record batch "
                + batch
                + " of the upload is malformed: "
                + (column == null ? "" : "column '" + column + "': ")
                + what
                + "; nothing was stored")
        .toRuntimeException();
  }
}
