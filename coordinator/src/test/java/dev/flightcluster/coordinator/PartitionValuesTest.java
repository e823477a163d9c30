package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Hive partition values as the data server reads them, typed by the served schema. */
class PartitionValuesTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("year", new ArrowType.Int(64, true)),
              Field.nullable("city", ArrowType.Utf8.INSTANCE)));

  @Test
  void valuesAreTypedByTheSchema() {
    assertThat(PartitionValues.of("year=2024/city=Paris/part-0.parquet", SCHEMA))
        .containsExactlyInAnyOrderEntriesOf(Map.of("year", 2024L, "city", "Paris"));
  }

  @Test
  void segmentsArePercentDecodedAndAPlusStaysAPlus() {
    assertThat(PartitionValues.of("city=New%20York+City/part-0.parquet", SCHEMA))
        .containsExactlyEntriesOf(Map.of("city", "New York+City"));
  }

  @Test
  void theHiveDefaultPartitionIsNull() {
    Map<String, Object> expected = new HashMap<>();
    expected.put("year", null);
    assertThat(PartitionValues.of("year=__HIVE_DEFAULT_PARTITION__/part-0.parquet", SCHEMA))
        .containsExactlyEntriesOf(expected);
  }

  @Test
  void whatCannotBeReadIsLeftUnknown() {
    assertThat(PartitionValues.of("year=soon/city=%zz/other=1/part-0.parquet", SCHEMA))
        .as("not an integer, a malformed escape, a key that is not a column")
        .isEmpty();
    assertThat(PartitionValues.of("year=2024.parquet", SCHEMA))
        .as("a file's own name is never a partition")
        .isEmpty();
  }
}
