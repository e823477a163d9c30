package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.server.store.Dataset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The columns one stream sends, in the order the ticket asks for them, and where each comes from: a
 * column of the native scan, or a hive partition column that the server fills from the file's
 * folder (decisions D79).
 *
 * @param served the schema the stream sends, in IPC message form: the dataset's fields, projected
 * @param scanColumns the file columns the scan reads, in served order, for {@code
 *     ScanOptions.Builder.columns}; empty for every file column in the files' order
 * @param sources per served column, where its values come from
 */
record Projection(Schema served, Optional<List<String>> scanColumns, List<Source> sources) {
  Projection {
    requireNonNull(served, "served is null");
    requireNonNull(scanColumns, "scanColumns is null");
    scanColumns = scanColumns.map(List::copyOf);
    sources = List.copyOf(sources);
  }

  /**
   * Where a served column's values come from.
   *
   * @param scanIndex its index among the scan's columns, or -1 for a partition column
   * @param partitionIndex its index among the dataset's partition columns, or -1 for a file column
   */
  record Source(int scanIndex, int partitionIndex) {
    boolean isPartition() {
      return partitionIndex >= 0;
    }
  }

  /**
   * The columns {@code requested} of {@code dataset}, in that order; every column for none.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT naming a column the
   *     dataset does not have, and the ones it has
   */
  static Projection of(Dataset dataset, List<String> requested) {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(requested, "requested is null");
    List<Field> fields = dataset.schema().getFields();
    int fileColumns = dataset.fileSchema().getFields().size();
    if (requested.isEmpty()) {
      List<Source> sources = new ArrayList<>(fields.size());
      for (int i = 0; i < fields.size(); i++) {
        sources.add(i < fileColumns ? new Source(i, -1) : new Source(-1, i - fileColumns));
      }
      return new Projection(dataset.schema(), Optional.empty(), sources);
    }
    Map<String, Integer> byName = new HashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      byName.putIfAbsent(fields.get(i).getName(), i);
    }
    List<Field> served = new ArrayList<>(requested.size());
    List<String> scanColumns = new ArrayList<>();
    List<Source> sources = new ArrayList<>(requested.size());
    for (String name : requested) {
      Integer index = byName.get(name);
      if (index == null) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "dataset '"
                    + dataset.name()
                    + "' has no column '"
                    + name
                    + "'; its columns are "
                    + fields.stream().map(Field::getName).toList())
            .toRuntimeException();
      }
      served.add(fields.get(index));
      if (index < fileColumns) {
        sources.add(new Source(scanColumns.size(), -1));
        scanColumns.add(name);
      } else {
        sources.add(new Source(-1, index - fileColumns));
      }
    }
    return new Projection(
        new Schema(served, dataset.schema().getCustomMetadata()),
        Optional.of(scanColumns),
        sources);
  }
}
