package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Makes one {@link Dataset} of the Parquet files found for it: their schemas must agree, the
 * partition columns of their {@code key=value} directories follow the files' columns (see {@link
 * Partitions}), and a column stays dictionary-encoded only in a dataset of one file with one row
 * group (decisions D38). A dataset that cannot be served whole is left out with a warning.
 */
final class DatasetAssembler {
  private final FileInspections inspections;

  DatasetAssembler(FileInspections inspections) {
    this.inspections = requireNonNull(inspections, "inspections is null");
  }

  /** The dataset, or empty when it is left out (warned). */
  Optional<Dataset> assemble(DatasetName name, List<DataDir.Found> found, Warnings warnings) {
    Partitions partitions;
    try {
      partitions = Partitions.discover(found.stream().map(DataDir.Found::relative).toList());
    } catch (IllegalArgumentException e) {
      warnings.warnOnce(
          "partitions:" + name + ":" + e.getMessage(),
          "leaving out dataset {}: {}",
          name,
          e.getMessage());
      return Optional.empty();
    }
    List<FileMeta> metas = new ArrayList<>(found.size());
    for (DataDir.Found each : found) {
      Optional<FileMeta> meta = inspections.inspect(each.real(), name, warnings);
      if (meta.isEmpty()) {
        return Optional.empty();
      }
      metas.add(meta.get());
    }
    Schema fileSchema =
        metas.size() == 1 && partitions.isEmpty() && metas.get(0).rowGroups() <= 1
            ? StoredTypes.keepDictionaries(metas.get(0).schema())
            : plain(metas.get(0).schema());
    for (FileMeta meta : metas.subList(1, metas.size())) {
      if (!plain(meta.schema()).getFields().equals(fileSchema.getFields())) {
        warnings.warnOnce(
            "schema:" + name + ":" + meta.path() + ":" + meta.modified(),
            "leaving out dataset {}: {} has schema {} but {} has {}; its files must agree",
            name,
            metas.get(0).path(),
            fileSchema,
            meta.path(),
            plain(meta.schema()));
        return Optional.empty();
      }
    }
    Schema schema = fileSchema;
    if (!partitions.isEmpty()) {
      List<Field> fields = new ArrayList<>(fileSchema.getFields());
      for (Field partition : partitions.fields()) {
        String key = partition.getName();
        if (fileSchema.getFields().stream().anyMatch(field -> field.getName().equals(key))) {
          FileMeta first = metas.get(0);
          warnings.warnOnce(
              "partition-column:" + name + ":" + key + ":" + first.path() + ":" + first.modified(),
              "leaving out dataset {}: its files have a column '{}' and also lie under '{}=' directories;"
                  + " rename the column or the directories",
              name,
              key,
              key);
          return Optional.empty();
        }
        fields.add(partition);
      }
      schema = new Schema(fields, fileSchema.getCustomMetadata());
    }
    long rows = 0;
    long bytes = 0;
    long arrowBytes = 0;
    for (FileMeta meta : metas) {
      rows += meta.rows();
      bytes += meta.size();
      arrowBytes += meta.arrowBytes();
    }
    List<String> paths = found.stream().map(each -> ticketPath(each.relative())).toList();
    return Optional.of(
        new Dataset(
            name,
            paths,
            metas,
            schema,
            partitions,
            rows,
            bytes,
            arrowBytes,
            Fingerprints.of(schema, metas, partitions, rows, bytes)));
  }

  /** A relative path as tickets name it: {@code /}-separated whatever the platform. */
  private static String ticketPath(Path relative) {
    return StreamSupport.stream(relative.spliterator(), false)
        .map(Path::toString)
        .collect(Collectors.joining("/"));
  }

  /** The schema with every dictionary-encoded field a plain field of its value type. */
  static Schema plain(Schema schema) {
    return new Schema(
        schema.getFields().stream().map(DatasetAssembler::plain).toList(),
        schema.getCustomMetadata());
  }

  static Field plain(Field field) {
    return new Field(
        field.getName(),
        new FieldType(field.isNullable(), field.getType(), null, field.getMetadata()),
        field.getChildren().stream().map(DatasetAssembler::plain).toList());
  }
}
