package dev.flightcluster.server.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.Preconditions;
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
      try (ValueVector decoded =
          DictionaryEncoder.decode(from, dictionaries.lookup(encoding.getId()), allocator)) {
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
