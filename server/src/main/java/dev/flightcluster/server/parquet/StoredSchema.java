package dev.flightcluster.server.parquet;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.DictionaryUtility;

/**
 * The schema an upload is stored under: exactly the schema the client sent, in the IPC message form
 * in which a dictionary-encoded field carries its value type (Java's in-memory form carries the
 * index type instead).
 */
final class StoredSchema {
  private StoredSchema() {}

  /**
   * The message form of {@code reader}'s schema.
   *
   * @throws IllegalArgumentException when a dictionary the schema refers to never arrived, so its
   *     value type is unknown
   */
  static Schema of(ArrowReader reader) throws java.io.IOException {
    requireNonNull(reader, "reader is null");
    Schema schema = reader.getVectorSchemaRoot().getSchema();
    Set<Long> used = new HashSet<>();
    List<Field> fields = new java.util.ArrayList<>();
    for (Field field : schema.getFields()) {
      if (field.getDictionary() != null && reader.lookup(field.getDictionary().getId()) == null) {
        throw new IllegalArgumentException(
            "column '"
                + field.getName()
                + "' is dictionary-encoded but the stream sent no dictionary for it");
      }
      fields.add(DictionaryUtility.toMessageFormat(field, reader, used));
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  /**
   * What Arrow C++ 18 can read back of {@code exact}: top-level fixed-size lists named lists, as
   * they are written ({@link WritableColumns}), since its reader's cast back refuses null entries.
   */
  static Schema readable(Schema exact) {
    List<Field> fields = new java.util.ArrayList<>();
    for (Field field : exact.getFields()) {
      if (field.getDictionary() == null
          && field.getType()
              instanceof org.apache.arrow.vector.types.pojo.ArrowType.FixedSizeList) {
        fields.add(
            new Field(
                field.getName(),
                new org.apache.arrow.vector.types.pojo.FieldType(
                    field.isNullable(),
                    org.apache.arrow.vector.types.pojo.ArrowType.List.INSTANCE,
                    null,
                    field.getMetadata()),
                field.getChildren()));
      } else {
        fields.add(field);
      }
    }
    return new Schema(fields, exact.getCustomMetadata());
  }
}
