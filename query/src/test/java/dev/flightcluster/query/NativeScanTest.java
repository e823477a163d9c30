package dev.flightcluster.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.query.TypedParquet.Row;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator and literal type, scanned by arrow-dataset's native scanner with the Substrait
 * form of the filter, against the rows the same predicate selects in Java.
 */
class NativeScanTest {
  @TempDir static Path dir;
  private static BufferAllocator allocator;
  private static String uri;
  private static Schema fileSchema;

  @BeforeAll
  static void writeFile() throws Exception {
    allocator = new RootAllocator();
    uri = TypedParquet.write(allocator, dir);
    fileSchema = TypedParquet.inspect(allocator, uri);
  }

  @AfterAll
  static void closeAllocator() {
    allocator.close();
  }

  record Case(String sql, Predicate<Row> expected) {
    @Override
    public String toString() {
      return sql;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("i32 > 5", r -> r.i32() != null && r.i32() > 5),
        new Case("i32 = 5", r -> r.i32() != null && r.i32() == 5),
        new Case("i32 <> 5", r -> r.i32() != null && r.i32() != 5),
        new Case("i32 != 5", r -> r.i32() != null && r.i32() != 5),
        new Case("i32 <= 0", r -> r.i32() != null && r.i32() <= 0),
        new Case("i32 >= 7 AND dbl < 2", r -> r.i32() != null && r.i32() >= 7 && r.dbl() < 2),
        new Case(
            "i32 < 0 OR str = 'banana'",
            r -> (r.i32() != null && r.i32() < 0) || "banana".equals(r.str())),
        new Case("NOT (i32 > 5)", r -> r.i32() != null && !(r.i32() > 5)),
        new Case("dbl > 1.5", r -> r.dbl() != null && r.dbl() > 1.5),
        new Case("str = 'apple'", r -> "apple".equals(r.str())),
        new Case("str > 'b'", r -> r.str() != null && r.str().compareTo("b") > 0));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nativeScanSelectsTheRowsTheFilterDoes(Case c) throws Exception {
    RowFilter filter = RowFilter.parse(c.sql(), TypedParquet.SCHEMA);
    List<Long> ids = TypedParquet.scanIds(allocator, uri, filter.toSubstrait(fileSchema, Map.of()));
    List<Long> expected = TypedParquet.ROWS.stream().filter(c.expected()).map(Row::id).toList();
    assertThat(ids).containsExactlyElementsOf(expected);
  }
}
