package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compare.VectorEqualsVisitor;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * The dictionaries of one DoGet stream. Flight Java 18.3 sends a stream's dictionaries once, when
 * it starts, and has no way to send a replacement later (its listener takes no dictionary batches).
 * The scanner hands out a dictionary with every batch, so the stream keeps the first batch's and
 * checks every later one against it: the same values pass as they are; a reordered or smaller
 * dictionary is remapped to the stream's indices; a dictionary with a value the stream's lacks
 * cannot be sent, and fails the stream. The store keeps a column dictionary-encoded only where that
 * cannot happen: one Parquet file of one row group, whose dictionary page is the column's only one
 * (decisions D38).
 *
 * <p>A stream without batches gets empty dictionaries of the served value types, so its schema can
 * still be sent.
 */
final class StreamDictionaries implements DictionaryProvider, AutoCloseable {
  private final BufferAllocator allocator;
  private final Schema served;
  private final DictionaryProvider source;
  private final Map<Long, Dictionary> dictionaries = new TreeMap<>();
  private final Map<Long, Map<Object, Integer>> positions = new HashMap<>();

  /**
   * @param served the schema in IPC message form, where a dictionary field carries its value type
   * @param source the scanner's dictionaries, valid for its current batch
   */
  StreamDictionaries(BufferAllocator allocator, Schema served, DictionaryProvider source) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.served = requireNonNull(served, "served is null");
    this.source = requireNonNull(source, "source is null");
  }

  /** True when the served schema has a dictionary-encoded column. */
  static boolean any(Schema served) {
    return served.getFields().stream().anyMatch(field -> field.getDictionary() != null);
  }

  /**
   * Makes the current batch of {@code root} refer to the stream's dictionaries, taking them from
   * the first batch.
   *
   * @throws IllegalStateException when a batch's dictionary holds a value the stream's lacks
   */
  void adopt(VectorSchemaRoot root) {
    for (FieldVector vector : root.getFieldVectors()) {
      DictionaryEncoding encoding = vector.getField().getDictionary();
      if (encoding == null) {
        continue;
      }
      Dictionary batch = source.lookup(encoding.getId());
      if (batch == null) {
        throw new IllegalStateException(
            "the scanner sent no dictionary for column '" + vector.getName() + "'");
      }
      Dictionary ours = dictionaries.get(encoding.getId());
      if (ours == null) {
        // A slice shares the buffers, holding references of its own: the scanner may drop its copy.
        TransferPair pair = batch.getVector().getTransferPair(allocator);
        pair.splitAndTransfer(0, batch.getVector().getValueCount());
        dictionaries.put(encoding.getId(), new Dictionary((FieldVector) pair.getTo(), encoding));
      } else if (!VectorEqualsVisitor.vectorEquals(ours.getVector(), batch.getVector())) {
        remap(vector, batch, ours, encoding.getId());
      }
    }
  }

  private void remap(FieldVector indices, Dictionary batch, Dictionary ours, long id) {
    Map<Object, Integer> at =
        positions.computeIfAbsent(
            id,
            key -> {
              Map<Object, Integer> map = new HashMap<>();
              ValueVector values = ours.getVector();
              for (int i = values.getValueCount() - 1; i >= 0; i--) {
                map.put(key(values.getObject(i)), i);
              }
              return map;
            });
    BaseIntVector ints = (BaseIntVector) indices;
    ValueVector values = batch.getVector();
    for (int row = 0; row < indices.getValueCount(); row++) {
      if (indices.isNull(row)) {
        continue;
      }
      Integer position = at.get(key(values.getObject((int) ints.getValueAsLong(row))));
      if (position == null) {
        throw new IllegalStateException(
            "column '"
                + indices.getName()
                + "' changed its dictionary mid-stream,"
                + " which Flight Java cannot send");
      }
      ints.setWithPossibleTruncate(row, position);
    }
  }

  private static Object key(Object value) {
    return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value;
  }

  /** Empty dictionaries for the columns no batch has shown, so the schema can be sent. */
  void fillMissing(VectorSchemaRoot root) {
    for (int i = 0; i < root.getSchema().getFields().size(); i++) {
      DictionaryEncoding encoding = root.getSchema().getFields().get(i).getDictionary();
      Field field = served.getFields().get(i);
      if (encoding != null && !dictionaries.containsKey(encoding.getId())) {
        Field values =
            new Field(
                "dictionary", new FieldType(true, field.getType(), null), field.getChildren());
        FieldVector empty = values.createVector(allocator);
        empty.setValueCount(0);
        dictionaries.put(encoding.getId(), new Dictionary(empty, encoding));
      }
    }
  }

  @Override
  public Dictionary lookup(long id) {
    return dictionaries.get(id);
  }

  @Override
  public Set<Long> getDictionaryIds() {
    return dictionaries.keySet();
  }

  @Override
  public void close() throws Exception {
    AutoCloseables.close(dictionaries.values().stream().map(Dictionary::getVector).toList());
    dictionaries.clear();
  }
}
