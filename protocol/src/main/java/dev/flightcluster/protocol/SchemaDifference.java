package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Whether data of one schema may join a dataset of another, as an append does: the same columns, in
 * the same order, with the same names and value types. Nullability, metadata and dictionary
 * encoding do not count, since Parquet stores them differently from the Arrow a client holds.
 */
public final class SchemaDifference {
  private SchemaDifference() {}

  /**
   * The first difference between {@code dataset} and {@code added}, said so a person can fix it;
   * empty when they agree.
   */
  public static Optional<String> between(Schema dataset, Schema added) {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(added, "added is null");
    return between("", dataset.getFields(), added.getFields());
  }

  private static Optional<String> between(String parent, List<Field> dataset, List<Field> added) {
    for (int i = 0; i < Math.max(dataset.size(), added.size()); i++) {
      if (i >= added.size()) {
        return Optional.of(
            "column " + parent + dataset.get(i).getName() + " of the dataset is missing");
      }
      if (i >= dataset.size()) {
        return Optional.of("column " + parent + added.get(i).getName() + " is not in the dataset");
      }
      Field expected = dataset.get(i);
      Field actual = added.get(i);
      if (!expected.getName().equals(actual.getName())) {
        return Optional.of(
            "column "
                + (i + 1)
                + " is "
                + parent
                + actual.getName()
                + " where the dataset has "
                + parent
                + expected.getName());
      }
      if (!expected.getType().equals(actual.getType())) {
        return Optional.of(
            "column "
                + parent
                + actual.getName()
                + " is "
                + actual.getType()
                + " where the dataset has "
                + expected.getType());
      }
      Optional<String> inner =
          between(parent + actual.getName() + ".", expected.getChildren(), actual.getChildren());
      if (inner.isPresent()) {
        return inner;
      }
    }
    return Optional.empty();
  }
}
