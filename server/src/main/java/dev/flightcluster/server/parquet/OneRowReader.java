package dev.flightcluster.server.parquet;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One batch of one row of {@code schema}, every value present and zero or empty. arrow-dataset's
 * writer writes no file for a stream without rows, so an empty upload is written as this row and
 * its row groups are then dropped from the footer: the file keeps exactly the Parquet schema the
 * writer derives, and no rows.
 */
final class OneRowReader extends ArrowReader {
  private final Schema schema;
  private boolean loaded;

  OneRowReader(BufferAllocator allocator, Schema schema) {
    super(allocator);
    this.schema = requireNonNull(schema, "schema is null");
  }

  @Override
  protected Schema readSchema() {
    return schema;
  }

  @Override
  public boolean loadNextBatch() throws java.io.IOException {
    if (loaded) {
      return false;
    }
    loaded = true;
    VectorSchemaRoot root = getVectorSchemaRoot();
    for (FieldVector vector : root.getFieldVectors()) {
      present(vector, 1);
    }
    root.setRowCount(1);
    return true;
  }

  /** {@code count} non-null values: zeros, empty strings, empty lists. */
  private static void present(FieldVector vector, int count) {
    vector.setInitialCapacity(Math.max(count, 1));
    vector.allocateNew();
    if (!(vector instanceof NullVector)) {
      for (int i = 0; i < count; i++) {
        BitVectorHelper.setBit(vector.getValidityBuffer(), i);
      }
    }
    int childCount =
        vector instanceof FixedSizeListVector fixed
            ? count * fixed.getListSize()
            : vector instanceof StructVector ? count : 0;
    for (FieldVector child : vector.getChildrenFromFields()) {
      present(child, childCount);
    }
    vector.setValueCount(count);
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}
}
