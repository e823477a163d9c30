package dev.flightcluster.server.upload;

import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Checks a record batch header against its body and the schema before Flight loads it. Arrow Java's
 * loader trusts the header and then sets every column to the batch's length, growing a column with
 * zeros when its buffers are shorter than that: a batch of 8 rows claiming a million was stored as
 * a million rows, and a buffer shorter than its rows need was silently padded. So the header must
 * agree with itself before the loader runs: lengths and null counts in range, every buffer inside
 * the body and as long as its column's type needs for its length, every top-level column exactly as
 * long as the batch, the node and buffer counts the schema implies, and no compression (this server
 * has no codec).
 */
final class BatchHeaderCheck {
  private final RecordBatch batch;
  private final long bodyLength;
  private final FieldNode node = new FieldNode();
  private final Buffer buffer = new Buffer();
  private int nodes;
  private int buffers;
  private int views;

  private BatchHeaderCheck(RecordBatch batch, long bodyLength) {
    this.batch = batch;
    this.bodyLength = bodyLength;
  }

  /** Thrown with what is wrong, for a person. */
  private static final class Wrong extends RuntimeException {
    Wrong(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param columns the schema's columns; for a dictionary batch, the dictionary's value column
   * @return what is wrong, for a person, or null
   */
  static String check(RecordBatch batch, long bodyLength, List<Field> columns) {
    try {
      new BatchHeaderCheck(batch, bodyLength).check(columns);
      return null;
    } catch (Wrong e) {
      return e.getMessage();
    }
  }

  private void check(List<Field> columns) {
    long length = batch.length();
    if (length < 0) {
      throw new Wrong("its record batch length is negative (" + length + ")");
    }
    if (batch.compression() != null) {
      throw new Wrong(
          "its record batch is compressed, which this server does not accept; send uncompressed batches");
    }
    for (Field column : columns) {
      long values = field(column, column.getName());
      if (values != length) {
        throw new Wrong(
            "column '"
                + column.getName()
                + "' claims "
                + values
                + " values in a batch of "
                + length
                + " rows");
      }
    }
    if (nodes != batch.nodesLength() || buffers != batch.buffersLength()) {
      throw new Wrong(
          "it has "
              + batch.nodesLength()
              + " field nodes and "
              + batch.buffersLength()
              + " buffers where the schema needs "
              + nodes
              + " and "
              + buffers);
    }
  }

  /** Checks one field's node and buffers, then its children's; returns its length. */
  private long field(Field field, String path) {
    if (nodes >= batch.nodesLength()) {
      throw new Wrong("it has fewer field nodes than the schema needs (column '" + path + "')");
    }
    batch.nodes(node, nodes++);
    long length = node.length();
    long nulls = node.nullCount();
    if (length < 0 || nulls < 0 || nulls > length) {
      throw new Wrong(
          "column '" + path + "' claims " + length + " values with " + nulls + " nulls");
    }
    ArrowType type =
        field.getDictionary() != null ? field.getDictionary().getIndexType() : field.getType();
    ArrowType.ArrowTypeID id = type.getTypeID();
    for (BufferLayout layout : TypeLayout.getTypeLayout(type).getBufferLayouts()) {
      if (layout.getType() == BufferLayout.BufferType.VARIADIC_DATA_BUFFERS) {
        continue;
      }
      long needed =
          switch (layout.getType()) {
            case VALIDITY ->
                nulls == 0 ? 0 : (length + 7) / 8; // with no nulls the loader ignores it
            case OFFSET -> length == 0 ? 0 : (length + 1) * layout.getTypeBitWidth() / 8;
            case DATA ->
                id == ArrowType.ArrowTypeID.Utf8
                        || id == ArrowType.ArrowTypeID.Binary
                        || id == ArrowType.ArrowTypeID.LargeUtf8
                        || id == ArrowType.ArrowTypeID.LargeBinary
                    ? 0 // its values' size is checked against the offsets once loaded
                    : (length * layout.getTypeBitWidth() + 7) / 8;
            default -> (length * layout.getTypeBitWidth() + 7) / 8;
          };
      buffer(path, layout.getType().getName(), needed);
    }
    if (id == ArrowType.ArrowTypeID.Utf8View || id == ArrowType.ArrowTypeID.BinaryView) {
      if (views >= batch.variadicBufferCountsLength()) {
        throw new Wrong(
            "column '"
                + path
                + "' is a view column but the batch gives no count of its data buffers");
      }
      long count = batch.variadicBufferCounts(views++);
      for (long i = 0; i < count; i++) {
        buffer(path, "view data", 0);
      }
    }
    if (field.getDictionary() == null) {
      for (Field child : field.getChildren()) {
        field(child, path + "." + child.getName());
      }
    }
    return length;
  }

  private void buffer(String path, String kind, long needed) {
    if (buffers >= batch.buffersLength()) {
      throw new Wrong("it has fewer buffers than the schema needs (column '" + path + "')");
    }
    int index = buffers++;
    batch.buffers(buffer, index);
    long offset = buffer.offset();
    long size = buffer.length();
    if (offset < 0 || size < 0 || offset > bodyLength || size > bodyLength - offset) {
      throw new Wrong(
          "buffer "
              + index
              + " (column '"
              + path
              + "') covers bytes "
              + offset
              + " to "
              + (offset + size)
              + " but the body holds "
              + bodyLength);
    }
    if (size < needed) {
      throw new Wrong(
          "the "
              + kind.toLowerCase(java.util.Locale.ROOT)
              + " buffer of column '"
              + path
              + "' holds "
              + size
              + " bytes where its values need "
              + needed);
    }
  }
}
