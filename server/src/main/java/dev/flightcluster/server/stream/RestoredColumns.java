package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthViewVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Gives back, in Java, the top-level column types that Arrow C++ 18's scanner cannot produce from
 * Parquet even when the footer names them (decisions D37): {@code fixed_size_list}, read as a list
 * (its cast to a fixed-size list refuses null entries, which Parquet stores without values), and
 * {@code string_view}/{@code binary_view}, read as string/binary (exporting a cast view array
 * crashes the JNI bridge). The scanner is given {@link #scanSchema}; the stream sends {@link
 * #root()}, whose other columns are the scanner's own vectors, untouched.
 */
final class RestoredColumns implements AutoCloseable {
  private final VectorSchemaRoot scanned;
  private final VectorSchemaRoot root;
  private final List<Integer> restored = new ArrayList<>();

  /**
   * @param served the schema the stream sends, in IPC message form
   * @param scanned the root the scanner loads, of {@link #scanSchema}{@code (served)}
   */
  RestoredColumns(BufferAllocator allocator, Schema served, VectorSchemaRoot scanned) {
    requireNonNull(allocator, "allocator is null");
    this.scanned = requireNonNull(scanned, "scanned is null");
    List<FieldVector> vectors = new ArrayList<>();
    // From the schemas, not the vectors: Java names every list vector's child "$data$".
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < scanned.getFieldVectors().size(); i++) {
      Field field = served.getFields().get(i);
      if (field.getDictionary() == null && needsRestoring(field.getType())) {
        vectors.add(field.createVector(allocator));
        fields.add(field);
        restored.add(i);
      } else {
        vectors.add(scanned.getVector(i));
        fields.add(scanned.getSchema().getFields().get(i));
      }
    }
    this.root =
        restored.isEmpty()
            ? scanned
            : new VectorSchemaRoot(new Schema(fields, served.getCustomMetadata()), vectors, 0);
  }

  /**
   * The schema to scan with: {@code served} with the types Java restores replaced by what Arrow
   * reads.
   */
  static Schema scanSchema(Schema served) {
    List<Field> fields = new ArrayList<>();
    for (Field field : served.getFields()) {
      ArrowType type = field.getType();
      if (field.getDictionary() != null || !needsRestoring(type)) {
        fields.add(field);
      } else if (type instanceof ArrowType.FixedSizeList) {
        fields.add(
            new Field(
                field.getName(),
                new FieldType(
                    field.isNullable(), ArrowType.List.INSTANCE, null, field.getMetadata()),
                field.getChildren()));
      } else {
        ArrowType read =
            type instanceof ArrowType.Utf8View
                ? ArrowType.Utf8.INSTANCE
                : ArrowType.Binary.INSTANCE;
        fields.add(
            new Field(
                field.getName(),
                new FieldType(field.isNullable(), read, null, field.getMetadata()),
                null));
      }
    }
    return new Schema(fields, served.getCustomMetadata());
  }

  private static boolean needsRestoring(ArrowType type) {
    return type instanceof ArrowType.FixedSizeList
        || type instanceof ArrowType.Utf8View
        || type instanceof ArrowType.BinaryView;
  }

  /** The root the stream sends. */
  VectorSchemaRoot root() {
    return root;
  }

  /** Converts the scanner's current batch into {@link #root()}. */
  void load() {
    if (root == scanned) {
      return;
    }
    for (int i : restored) {
      FieldVector from = scanned.getVector(i);
      FieldVector to = root.getVector(i);
      to.clear(); // the previous batch's buffers: gRPC holds its own reference while it sends them
      if (to instanceof FixedSizeListVector fixed) {
        fixedSizeList((ListVector) from, fixed);
      } else {
        views((BaseVariableWidthVector) from, (BaseVariableWidthViewVector) to);
      }
    }
    root.setRowCount(scanned.getRowCount());
  }

  private static void fixedSizeList(ListVector from, FixedSizeListVector to) {
    int count = from.getValueCount();
    int size = to.getListSize();
    to.setInitialCapacity(Math.max(count, 1));
    to.allocateNew();
    FieldVector values = to.getDataVector();
    TransferPair copier = from.getDataVector().makeTransferPair(values);
    for (int i = 0; i < count; i++) {
      if (from.isNull(i)) {
        to.setNull(i);
        continue;
      }
      int start = from.getElementStartIndex(i);
      int length = from.getElementEndIndex(i) - start;
      if (length != size) {
        throw new IllegalStateException(
            "column '"
                + from.getName()
                + "' has a list of "
                + length
                + " values where its stored type is a fixed-size list of "
                + size);
      }
      to.setNotNull(i);
      for (int k = 0; k < size; k++) {
        copier.copyValueSafe(start + k, i * size + k);
      }
    }
    values.setValueCount(count * size);
    to.setValueCount(count);
  }

  private static void views(BaseVariableWidthVector from, BaseVariableWidthViewVector to) {
    int count = from.getValueCount();
    to.allocateNew();
    for (int i = 0; i < count; i++) {
      if (from.isNull(i)) {
        to.setNull(i);
      } else {
        to.setSafe(i, from.get(i));
      }
    }
    to.setValueCount(count);
  }

  @Override
  public void close() throws Exception {
    if (root != scanned) {
      AutoCloseables.close(restored.stream().map(root::getVector).toList());
    }
  }
}
