package dev.flightcluster.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

class PartitionsTest {
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType UTF8 = new ArrowType.Utf8();

  private static Partitions discover(String... files) {
    return Partitions.discover(Arrays.stream(files).map(Path::of).toList());
  }

  @Test
  void filesUnderNoKeyValueDirectoryHaveNoPartitions() {
    assertThat(discover("part-0.parquet", "sub/part-1.parquet")).isSameAs(Partitions.NONE);
    assertThat(discover("x=1.parquet")).isSameAs(Partitions.NONE); // file names never count
  }

  @Test
  void keysInPathOrderWithInferredTypes() {
    Partitions partitions =
        discover(
            "year=2024/month=1/region=eu%2Fwest/part-0.parquet",
            "year=2024/month=12/region=us/part-0.parquet",
            "year=-7/month=007/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet");

    assertThat(partitions.fields())
        .containsExactly(
            Field.nullable("year", INT64),
            Field.nullable("month", INT64),
            Field.nullable("region", UTF8));
    assertThat(partitions.values())
        .containsExactly(
            List.of(2024L, 1L, "eu/west"), List.of(2024L, 12L, "us"), Arrays.asList(-7L, 7L, null));
  }

  @Test
  void aKeyWithOneNonIntegerValueIsUtf8() {
    Partitions partitions =
        discover(
            "k=1/a.parquet", "k=+2/a.parquet", "k=9223372036854775808/a.parquet", "k=/a.parquet");
    assertThat(partitions.fields()).containsExactly(Field.nullable("k", UTF8));
    assertThat(partitions.values())
        .containsExactly(List.of("1"), List.of("+2"), List.of("9223372036854775808"), List.of(""));
    // Out of range alone is enough; nulls do not count, and a key that is only null is utf8.
    assertThat(discover("k=9223372036854775808/a.parquet").fields())
        .containsExactly(Field.nullable("k", UTF8));
    assertThat(discover("k=1/a.parquet", "k=__HIVE_DEFAULT_PARTITION__/a.parquet").fields())
        .containsExactly(Field.nullable("k", INT64));
    assertThat(discover("k=__HIVE_DEFAULT_PARTITION__/a.parquet").fields())
        .containsExactly(Field.nullable("k", UTF8));
  }

  @Test
  void decodingFollowsPyarrow() {
    Partitions partitions =
        discover(
            "k%20x=caf%C3%A9/a.parquet",
            "k%20x=a+b/a.parquet", "k%20x=%zz%2/a.parquet", "k%20x=x=y/a.parquet");
    assertThat(partitions.fields()).containsExactly(Field.nullable("k x", UTF8));
    assertThat(partitions.values())
        .containsExactly(List.of("café"), List.of("a+b"), List.of("%zz%2"), List.of("x=y"));
    // Other directories are ignored, as pyarrow does.
    assertThat(discover("raw/k=1/b/a.parquet").values()).containsExactly(List.of(1L));
  }

  @Test
  void inconsistentLayoutsAreRefused() {
    assertThatThrownBy(() -> discover("year=2024/a.parquet", "b.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("year=2024/a.parquet has [year] but b.parquet has []");
    assertThatThrownBy(() -> discover("a=1/b=1/x.parquet", "b=1/a=1/x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different partition keys");
    assertThatThrownBy(() -> discover("a=1/a=2/x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> discover("k=%E9/x.parquet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not UTF-8");
  }
}
