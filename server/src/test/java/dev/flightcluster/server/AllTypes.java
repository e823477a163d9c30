package dev.flightcluster.server;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VariableWidthFieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionMapWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One column of every Arrow type Parquet can hold, with values and nulls, to test that an upload
 * reads back exactly as sent. Row {@link #NULL_ROW} is null in every nullable column.
 */
final class AllTypes {
  static final int ROWS = 5;
  static final int NULL_ROW = 2;
  static final long STRING_DICTIONARY = 1;
  static final long INT_DICTIONARY = 2;

  private AllTypes() {}

  static Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (int width : new int[] {8, 16, 32, 64}) {
      fields.add(Field.nullable("int" + width, new ArrowType.Int(width, true)));
      fields.add(Field.nullable("uint" + width, new ArrowType.Int(width, false)));
    }
    fields.add(Field.notNullable("int64_required", new ArrowType.Int(64, true)));
    fields.add(Field.nullable("float16", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF)));
    fields.add(
        Field.nullable("float32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    fields.add(
        Field.nullable("float64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
    fields.add(Field.nullable("string", ArrowType.Utf8.INSTANCE));
    fields.add(Field.nullable("large_string", ArrowType.LargeUtf8.INSTANCE));
    fields.add(Field.nullable("binary", ArrowType.Binary.INSTANCE));
    fields.add(Field.nullable("large_binary", ArrowType.LargeBinary.INSTANCE));
    fields.add(Field.nullable("fixed_size_binary", new ArrowType.FixedSizeBinary(4)));
    fields.add(Field.nullable("bool", ArrowType.Bool.INSTANCE));
    fields.add(Field.nullable("date32", new ArrowType.Date(DateUnit.DAY)));
    fields.add(Field.nullable("date64", new ArrowType.Date(DateUnit.MILLISECOND)));
    fields.add(Field.nullable("time32_s", new ArrowType.Time(TimeUnit.SECOND, 32)));
    fields.add(Field.nullable("time32_ms", new ArrowType.Time(TimeUnit.MILLISECOND, 32)));
    fields.add(Field.nullable("time64_us", new ArrowType.Time(TimeUnit.MICROSECOND, 64)));
    fields.add(Field.nullable("time64_ns", new ArrowType.Time(TimeUnit.NANOSECOND, 64)));
    for (TimeUnit unit : TimeUnit.values()) {
      String suffix = unit.name().toLowerCase(java.util.Locale.ROOT);
      fields.add(Field.nullable("timestamp_" + suffix, new ArrowType.Timestamp(unit, null)));
      fields.add(
          Field.nullable("timestamp_" + suffix + "_utc", new ArrowType.Timestamp(unit, "UTC")));
      fields.add(
          Field.nullable(
              "timestamp_" + suffix + "_ny", new ArrowType.Timestamp(unit, "America/New_York")));
      fields.add(Field.nullable("duration_" + suffix, new ArrowType.Duration(unit)));
    }
    fields.add(Field.nullable("decimal128", new ArrowType.Decimal(10, 2, 128)));
    fields.add(Field.nullable("decimal256", new ArrowType.Decimal(40, 5, 256)));
    fields.add(
        new Field(
            "list",
            FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(Field.nullable("item", new ArrowType.Int(32, true)))));
    fields.add(
        new Field(
            "large_list",
            FieldType.nullable(ArrowType.LargeList.INSTANCE),
            List.of(Field.nullable("item", ArrowType.Utf8.INSTANCE))));
    fields.add(
        new Field(
            "fixed_size_list",
            FieldType.nullable(new ArrowType.FixedSizeList(2)),
            List.of(Field.nullable("item", new ArrowType.Int(32, true)))));
    fields.add(
        new Field(
            "struct",
            FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(
                Field.nullable("a", new ArrowType.Int(32, true)),
                Field.nullable("b", ArrowType.Utf8.INSTANCE))));
    fields.add(
        new Field(
            "map",
            FieldType.nullable(new ArrowType.Map(false)),
            List.of(
                new Field(
                    "entries",
                    FieldType.notNullable(ArrowType.Struct.INSTANCE),
                    List.of(
                        Field.notNullable("key", ArrowType.Utf8.INSTANCE),
                        Field.nullable("value", new ArrowType.Int(32, true)))))));
    fields.add(
        new Field(
            "dictionary_string",
            new FieldType(
                true,
                new ArrowType.Int(32, true),
                new DictionaryEncoding(STRING_DICTIONARY, false, new ArrowType.Int(32, true))),
            List.of()));
    fields.add(
        new Field(
            "dictionary_int",
            new FieldType(
                true,
                new ArrowType.Int(32, true),
                new DictionaryEncoding(INT_DICTIONARY, false, new ArrowType.Int(32, true))),
            List.of()));
    fields.add(Field.nullable("null", ArrowType.Null.INSTANCE));
    fields.add(Field.nullable("string_view", ArrowType.Utf8View.INSTANCE));
    fields.add(Field.nullable("binary_view", ArrowType.BinaryView.INSTANCE));
    return new Schema(fields, Map.of("origin", "AllTypes"));
  }

  /** The dictionaries the dictionary columns refer to; the caller closes them. */
  static DictionaryProvider.MapDictionaryProvider dictionaries(BufferAllocator allocator) {
    VarCharVector strings = new VarCharVector("dictionary", allocator);
    strings.allocateNew();
    String[] words = {"red", "green", "blue"};
    for (int i = 0; i < words.length; i++) {
      strings.setSafe(i, words[i].getBytes(StandardCharsets.UTF_8));
    }
    strings.setValueCount(words.length);
    org.apache.arrow.vector.BigIntVector longs =
        new org.apache.arrow.vector.BigIntVector("dictionary", allocator);
    longs.allocateNew();
    long[] values = {10L, 20_000_000_000L, -7L};
    for (int i = 0; i < values.length; i++) {
      longs.setSafe(i, values[i]);
    }
    longs.setValueCount(values.length);
    return new DictionaryProvider.MapDictionaryProvider(
        new Dictionary(
            strings, new DictionaryEncoding(STRING_DICTIONARY, false, new ArrowType.Int(32, true))),
        new Dictionary(
            longs, new DictionaryEncoding(INT_DICTIONARY, false, new ArrowType.Int(32, true))));
  }

  /** Fills every column of a root made from {@link #schema()} with {@link #ROWS} rows. */
  static void fill(VectorSchemaRoot root) {
    for (FieldVector vector : root.getFieldVectors()) {
      fill(vector);
    }
    root.setRowCount(ROWS);
  }

  private static boolean isNull(FieldVector vector, int row) {
    return row == NULL_ROW && vector.getField().isNullable();
  }

  private static void fill(FieldVector vector) {
    vector.allocateNew();
    String name = vector.getName();
    for (int row = 0; row < ROWS; row++) {
      if (isNull(vector, row)) {
        if (!(vector instanceof NullVector)) {
          vector.setNull(row);
        }
        continue;
      }
      if (name.startsWith("dictionary_")) {
        ((IntVector) vector).setSafe(row, row % 3);
      } else if (vector instanceof Float2Vector v) {
        v.setSafeWithPossibleTruncate(row, row * 1.5f - 2);
      } else if (vector instanceof Float4Vector v) {
        v.setSafe(row, row * 1.25f - 2);
      } else if (vector instanceof Float8Vector v) {
        v.setSafe(row, row * 1e10 - 3.5);
      } else if (vector instanceof BitVector v) {
        v.setSafe(row, row % 2);
      } else if (vector instanceof DecimalVector v) {
        v.setSafe(
            row, new BigDecimal("-12345678.9" + row).setScale(2, java.math.RoundingMode.DOWN));
      } else if (vector instanceof Decimal256Vector v) {
        v.setSafe(row, new BigDecimal("12345678901234567890123456789012345." + row + "0001"));
      } else if (vector instanceof FixedSizeBinaryVector v) {
        v.setSafe(row, new byte[] {(byte) row, 1, 2, (byte) 255});
      } else if (vector instanceof BaseIntVector v && vector instanceof BaseFixedWidthVector) {
        v.setWithPossibleTruncate(row, value(vector, row));
      } else if (vector instanceof BaseFixedWidthVector v) {
        // Dates, times, timestamps and durations: 32- or 64-bit integers underneath.
        while (v.getValueCapacity() <= row) {
          v.reAlloc();
        }
        if (v.getTypeWidth() == 4) {
          v.getDataBuffer().setInt((long) row * 4, (int) value(vector, row));
        } else {
          v.getDataBuffer().setLong((long) row * 8, value(vector, row));
        }
        org.apache.arrow.vector.BitVectorHelper.setBit(v.getValidityBuffer(), row);
      } else if (vector instanceof VariableWidthFieldVector v) {
        byte[] bytes =
            row == 3
                ? ("a value longer than twelve bytes, kept out of line " + row)
                    .getBytes(StandardCharsets.UTF_8)
                : ("v" + row + (row == 0 ? "" : ",\"é\n")).getBytes(StandardCharsets.UTF_8);
        v.setSafe(row, bytes);
      } else if (vector instanceof NullVector) {
        // only nulls
      } else if (vector instanceof MapVector v) {
        fillMap(v, row);
      } else if (vector instanceof FixedSizeListVector v) {
        v.startNewValue(row);
        IntVector items = (IntVector) v.getDataVector();
        items.setSafe(row * 2, row);
        if (row == 1) {
          items.setNull(row * 2 + 1);
        } else {
          items.setSafe(row * 2 + 1, -row);
        }
      } else if (vector instanceof ListVector v) {
        int start = v.startNewValue(row);
        IntVector items = (IntVector) v.getDataVector();
        for (int k = 0; k < row; k++) {
          items.setSafe(start + k, row * 10 + k);
        }
        v.endValue(row, row);
      } else if (vector instanceof LargeListVector v) {
        long start = v.startNewValue(row);
        VarCharVector items = (VarCharVector) v.getDataVector();
        for (int k = 0; k < row; k++) {
          items.setSafe((int) start + k, ("s" + row + k).getBytes(StandardCharsets.UTF_8));
        }
        v.endValue(row, row);
      } else if (vector instanceof StructVector v) {
        v.setIndexDefined(row);
        ((IntVector) v.getChild("a")).setSafe(row, row * 3);
        if (row != 4) {
          ((VarCharVector) v.getChild("b"))
              .setSafe(row, ("b" + row).getBytes(StandardCharsets.UTF_8));
        }
      } else {
        throw new IllegalStateException("no filler for " + vector.getField());
      }
    }
    vector.setValueCount(ROWS);
  }

  private static long value(FieldVector vector, int row) {
    ArrowType type = vector.getField().getType();
    long base =
        switch (type) {
          case ArrowType.Int i when !i.getIsSigned() ->
              (1L << (i.getBitWidth() - 1)) + row; // the top half
          case ArrowType.Int i -> (row % 2 == 0 ? -1 : 1) * ((1L << (i.getBitWidth() - 2)) + row);
          case ArrowType.Date d when d.getUnit() == DateUnit.MILLISECOND ->
              (19_000L + row) * 86_400_000L;
          case ArrowType.Date d -> 19_000 + row;
          case ArrowType.Time t when t.getBitWidth() == 32 ->
              3_600L * (row + 1) * (t.getUnit() == TimeUnit.SECOND ? 1 : 1000) + row;
          case ArrowType.Time t ->
              3_600L
                      * (row + 1)
                      * (t.getUnit() == TimeUnit.MICROSECOND ? 1_000_000L : 1_000_000_000L)
                  + row;
          case ArrowType.Timestamp t -> 1_700_000_000L * scale(t.getUnit()) + row;
          case ArrowType.Duration d -> -5L * scale(d.getUnit()) + row * 7;
          default -> row;
        };
    return base;
  }

  private static long scale(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 1;
      case MILLISECOND -> 1_000;
      case MICROSECOND -> 1_000_000;
      case NANOSECOND -> 1_000_000_000;
    };
  }

  private static void fillMap(MapVector map, int row) {
    UnionMapWriter writer = map.getWriter();
    writer.setPosition(row);
    writer.startMap();
    for (int k = 0; k < row; k++) {
      writer.startEntry();
      byte[] key = ("k" + k).getBytes(StandardCharsets.UTF_8);
      try (var buffer = map.getAllocator().buffer(key.length)) {
        buffer.setBytes(0, key);
        writer.key().varChar().writeVarChar(0, key.length, buffer);
      }
      if (k == 1) {
        writer.value().integer().writeNull();
      } else {
        writer.value().integer().writeInt(row * 100 + k);
      }
      writer.endEntry();
    }
    writer.endMap();
  }
}
