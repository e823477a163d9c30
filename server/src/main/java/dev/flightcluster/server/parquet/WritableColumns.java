package dev.flightcluster.server.parquet;

import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.Preconditions;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthViewVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.util.TransferPair;

/**
 * What an upload's top-level columns become for arrow-dataset's Parquet writer (Arrow C++ 18),
 * which cannot take some of them as they are. The footer's {@code ARROW:schema} keeps the sent
 * type, and reads convert back (decisions D36, D37):
 *
 * <ul>
 *   <li>a dictionary-encoded column is written as its values: a Flight stream may replace a
 *       dictionary between batches, which the writer cannot follow;
 *   <li>{@code string_view} and {@code binary_view} as {@code string} and {@code binary}: the
 *       writer has no view types;
 *   <li>{@code fixed_size_list} as {@code list}: the writer refuses a null fixed-size list, whose
 *       slots still occupy child values ("Lists with non-zero length null components are not
 *       supported"); a list gives a null entry no values.
 * </ul>
 *
 * <p>Every other column is moved as it is, without a copy.
 */
final class WritableColumns {
  private WritableColumns() {}

  /** The field the writer is given for a sent top-level field. */
  static Field writable(Field field, DictionaryProvider dictionaries) {
    if (field.getDictionary() != null) {
      Dictionary dictionary = dictionaries.lookup(field.getDictionary().getId());
      if (dictionary == null) {
        throw new IllegalArgumentException(
            "column '" + field.getName() + "' is dictionary-encoded but its dictionary is missing");
      }
      Field values = dictionary.getVector().getField();
      return new Field(
          field.getName(),
          new FieldType(field.isNullable(), values.getType(), null, field.getMetadata()),
          values.getChildren());
    }
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Utf8View) {
      return retyped(field, ArrowType.Utf8.INSTANCE);
    }
    if (type instanceof ArrowType.BinaryView) {
      return retyped(field, ArrowType.Binary.INSTANCE);
    }
    if (type instanceof ArrowType.FixedSizeList) {
      return new Field(
          field.getName(),
          new FieldType(field.isNullable(), ArrowType.List.INSTANCE, null, field.getMetadata()),
          field.getChildren());
    }
    return field;
  }

  private static Field retyped(Field field, ArrowType type) {
    return new Field(
        field.getName(), new FieldType(field.isNullable(), type, null, field.getMetadata()), null);
  }

  /**
   * Fills {@code to}, a vector of {@link #writable}'s field, with the values of {@code from}: moved
   * when the types agree, converted otherwise. {@code to} must be empty.
   */
  static void convert(
      FieldVector from,
      FieldVector to,
      DictionaryProvider dictionaries,
      BufferAllocator allocator) {
    var encoding = from.getField().getDictionary();
    if (encoding != null) {
      Dictionary dictionary = dictionaries.lookup(encoding.getId());
      if (from instanceof BaseIntVector indices
          && dictionary != null
          && dictionary.getVector() instanceof BaseVariableWidthVector values
          && to instanceof BaseVariableWidthVector target
          && decodeVariableWidth(indices, values, target)) {
        return;
      }
      try (ValueVector decoded = DictionaryEncoder.decode(from, dictionary, allocator)) {
        decoded.makeTransferPair(to).transfer();
      }
    } else if (from instanceof BaseVariableWidthViewVector views) {
      copyViews(views, (BaseVariableWidthVector) to);
    } else if (from instanceof FixedSizeListVector fixed) {
      copyFixedSizeList(fixed, (ListVector) to);
    } else {
      from.makeTransferPair(to).transfer();
    }
  }

  /**
   * Decodes string or binary dictionary indices into {@code to} with one allocation and a memory
   * copy a value: arrow-java's {@link DictionaryEncoder#decode} copies value by value through
   * checks that grow the buffers, which made it a large part of an upload's Java time (decisions
   * D90).
   *
   * @return false, with {@code to} untouched, when the values would not fit its 32-bit offsets
   */
  private static boolean decodeVariableWidth(
      BaseIntVector indices, BaseVariableWidthVector values, BaseVariableWidthVector to) {
    int count = indices.getValueCount();
    int size = values.getValueCount();
    ArrowBuf valueOffsets = values.getOffsetBuffer();
    ArrowBuf valueData = values.getDataBuffer();
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      if (!indices.isNull(i)) {
        int k = Objects.checkIndex((int) indices.getValueAsLong(i), size);
        bytes += valueOffsets.getInt((k + 1L) * 4) - valueOffsets.getInt(k * 4L);
      }
    }
    if (bytes > Integer.MAX_VALUE) {
      return false;
    }
    to.allocateNew(Math.max(bytes, 1), count);
    ArrowBuf offsets = to.getOffsetBuffer();
    ArrowBuf data = to.getDataBuffer();
    ArrowBuf validity = to.getValidityBuffer();
    int end = 0;
    offsets.setInt(0, 0);
    for (int i = 0; i < count; i++) {
      if (indices.isNull(i)) {
        BitVectorHelper.unsetBit(validity, i);
      } else {
        int k = (int) indices.getValueAsLong(i);
        int start = valueOffsets.getInt(k * 4L);
        int length = valueOffsets.getInt((k + 1L) * 4) - start;
        data.setBytes(end, valueData, start, length);
        end += length;
        BitVectorHelper.setBit(validity, i);
      }
      offsets.setInt((i + 1L) * 4, end);
    }
    to.setLastSet(count - 1);
    to.setValueCount(count);
    return true;
  }

  private static void copyViews(BaseVariableWidthViewVector from, BaseVariableWidthVector to) {
    int count = from.getValueCount();
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      if (!from.isNull(i)) {
        bytes += from.getValueLength(i);
      }
    }
    to.allocateNew(Math.max(bytes, 1), count);
    for (int i = 0; i < count; i++) {
      if (from.isNull(i)) {
        to.setNull(i);
      } else {
        to.setSafe(i, from.get(i));
      }
    }
    to.setValueCount(count);
  }

  private static void copyFixedSizeList(FixedSizeListVector from, ListVector to) {
    int count = from.getValueCount();
    int size = from.getListSize();
    to.allocateNew();
    FieldVector fromValues = from.getDataVector();
    FieldVector toValues = to.getDataVector();
    Preconditions.checkState(
        toValues.getField().getType().equals(fromValues.getField().getType()),
        "list child type differs from the fixed-size list's");
    TransferPair copier = fromValues.makeTransferPair(toValues);
    int next = 0;
    for (int i = 0; i < count; i++) {
      to.startNewValue(i);
      if (from.isNull(i)) {
        to.endValue(i, 0);
        BitVectorHelper.unsetBit(to.getValidityBuffer(), i);
        continue;
      }
      for (int k = 0; k < size; k++) {
        copier.copyValueSafe(i * size + k, next++);
      }
      to.endValue(i, size);
    }
    toValues.setValueCount(next);
    to.setValueCount(count);
  }
}
