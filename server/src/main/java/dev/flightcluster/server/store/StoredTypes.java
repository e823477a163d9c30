package dev.flightcluster.server.store;

import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Which Arrow types a Parquet file is served with: those of the Arrow schema in its footer, the
 * types its writer was given (decisions D36), rather than the ones Arrow C++ 18 infers from the
 * Parquet types, which lose child names, view types, and dictionaries of anything but strings.
 * DoGet hands that schema to the scanner, which casts what it reads to it.
 */
final class StoredTypes {
  private StoredTypes() {}

  /**
   * The stored schema when it describes the file's columns (same names, in order), else the
   * inferred one.
   */
  static Schema served(Schema inferred, Optional<Schema> stored) {
    if (stored.isEmpty()) {
      return inferred;
    }
    List<String> storedNames = stored.get().getFields().stream().map(Field::getName).toList();
    List<String> inferredNames = inferred.getFields().stream().map(Field::getName).toList();
    if (!storedNames.equals(inferredNames)) {
      return inferred;
    }
    // A view type below the top level (a file another writer made) keeps the inferred type: the
    // scanner's cast to it would crash the JNI bridge, and Java restores views only at the top.
    List<Field> fields = new java.util.ArrayList<>();
    for (int i = 0; i < storedNames.size(); i++) {
      Field field = stored.get().getFields().get(i);
      fields.add(
          field.getChildren().stream().anyMatch(StoredTypes::hasView)
              ? inferred.getFields().get(i)
              : field);
    }
    return new Schema(fields, stored.get().getCustomMetadata());
  }

  private static boolean hasView(Field field) {
    return field.getType() instanceof ArrowType.Utf8View
        || field.getType() instanceof ArrowType.BinaryView
        || field.getChildren().stream().anyMatch(StoredTypes::hasView);
  }

  /**
   * The schema with the dictionary-encoded columns that a stream can keep encoded: top-level ones
   * of string or binary values, which Arrow's Parquet reader reads as one dictionary per row group.
   * Others become plain fields of their value type: the scanner encodes them batch by batch, with a
   * new dictionary each time, which Flight Java cannot send (decisions D38).
   */
  static Schema keepDictionaries(Schema schema) {
    return new Schema(
        schema.getFields().stream().map(StoredTypes::keepDictionary).toList(),
        schema.getCustomMetadata());
  }

  private static Field keepDictionary(Field field) {
    if (field.getDictionary() != null && readAsDictionary(field.getType())) {
      return new Field(
          field.getName(),
          field.getFieldType(),
          field.getChildren().stream().map(DatasetAssembler::plain).toList());
    }
    return DatasetAssembler.plain(field);
  }

  private static boolean readAsDictionary(ArrowType type) {
    return type instanceof ArrowType.Utf8
        || type instanceof ArrowType.LargeUtf8
        || type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeBinary;
  }
}
