package dev.flightcluster.cli.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** A record batch with its top-level dictionary-encoded columns replaced by their values. */
public final class DecodedBatch {
  private DecodedBatch() {}

  static boolean hasDictionaries(VectorSchemaRoot batch) {
    return batch.getSchema().getFields().stream().anyMatch(field -> field.getDictionary() != null);
  }

  /**
   * A new root, which the caller closes: the dictionary-encoded columns decoded into new vectors,
   * the others sharing {@code batch}'s buffers (reference-counted, so {@code batch} stays valid).
   *
   * @throws IOException when a column names a dictionary the stream did not send
   */
  static VectorSchemaRoot decode(VectorSchemaRoot batch, DictionaryProvider dictionaries)
      throws IOException {
    List<FieldVector> vectors = new ArrayList<>();
    boolean ok = false;
    try {
      for (FieldVector vector : batch.getFieldVectors()) {
        Field field = vector.getField();
        if (field.getDictionary() == null) {
          vectors.add(share(vector));
          continue;
        }
        long id = field.getDictionary().getId();
        Dictionary dictionary = dictionaries == null ? null : dictionaries.lookup(id);
        if (dictionary == null) {
          throw new IOException(
              "column '"
                  + field.getName()
                  + "' refers to dictionary "
                  + id
                  + ", which the stream did not send");
        }
        ValueVector values = DictionaryEncoder.decode(vector, dictionary);
        vectors.add((FieldVector) values);
      }
      VectorSchemaRoot decoded = new VectorSchemaRoot(vectors);
      decoded.setRowCount(batch.getRowCount());
      ok = true;
      return decoded;
    } finally {
      if (!ok) {
        try {
          AutoCloseables.close(vectors);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /**
   * {@code schema} with every dictionary-encoded field as its value type, as {@link #decode} writes
   * it.
   */
  public static Schema withoutDictionaries(Schema schema) {
    List<Field> fields = new ArrayList<>();
    for (Field field : schema.getFields()) {
      fields.add(
          field.getDictionary() == null
              ? field
              : new Field(
                  field.getName(),
                  new FieldType(field.isNullable(), field.getType(), null, field.getMetadata()),
                  field.getChildren()));
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  private static FieldVector share(FieldVector vector) {
    FieldVector shared = vector.getField().createVector(vector.getAllocator());
    vector.makeTransferPair(shared).splitAndTransfer(0, vector.getValueCount());
    return shared;
  }
}
