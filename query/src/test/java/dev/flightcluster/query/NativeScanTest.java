package dev.flightcluster.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.query.TypedParquet.Row;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
        new Case("str > 'b'", r -> r.str() != null && r.str().compareTo("b") > 0),
        // IN, BETWEEN, NULL tests
        new Case(
            "i32 IN (5, 42, 1000)", r -> r.i32() != null && List.of(5, 42, 1000).contains(r.i32())),
        new Case("i32 NOT IN (5, 42)", r -> r.i32() != null && !List.of(5, 42).contains(r.i32())),
        new Case("i32 BETWEEN 0 AND 7", r -> r.i32() != null && r.i32() >= 0 && r.i32() <= 7),
        new Case("i32 NOT BETWEEN 0 AND 7", r -> r.i32() != null && (r.i32() < 0 || r.i32() > 7)),
        new Case("str IS NULL", r -> r.str() == null),
        new Case("dbl IS NOT NULL", r -> r.dbl() != null),
        new Case("NOT (i32 > 5) OR i32 IS NULL", r -> r.i32() == null || r.i32() <= 5),
        // LIKE
        new Case("str LIKE 'ap%'", r -> r.str() != null && r.str().startsWith("ap")),
        new Case("str LIKE 'apple'", r -> "apple".equals(r.str())),
        new Case("str NOT LIKE 'ap%'", r -> r.str() != null && !r.str().startsWith("ap")),
        new Case("str LIKE '%'", r -> r.str() != null),
        new Case("str LIKE 'a!%b%' ESCAPE '!'", r -> r.str() != null && r.str().startsWith("a%b")),
        new Case("str LIKE 'á%'", r -> r.str() != null && r.str().startsWith("á")),
        // arithmetic
        new Case("i32 + 1 > 6", r -> r.i32() != null && r.i32() + 1 > 6),
        new Case("i32 * 2 - 1 = 9", r -> r.i32() != null && r.i32() * 2 - 1 == 9),
        new Case("i32 / 2 = 2", r -> r.i32() != null && r.i32() / 2 == 2),
        new Case("-i32 > 0", r -> r.i32() != null && -r.i32() > 0),
        new Case("dbl * 2 >= 3", r -> r.dbl() != null && r.dbl() * 2 >= 3),
        new Case("i32 > dbl", r -> r.i32() != null && r.dbl() != null && r.i32() > r.dbl()),
        new Case("i32 > 2.5", r -> r.i32() != null && r.i32() > 2.5),
        new Case("dbl = 2", r -> r.dbl() != null && r.dbl() == 2),
        // dictionary strings
        new Case("dict = 'red'", r -> "red".equals(r.dict())),
        new Case(
            "dict IN ('green', 'blue')", r -> "green".equals(r.dict()) || "blue".equals(r.dict())),
        new Case("dict LIKE 'gr%'", r -> r.dict() != null && r.dict().startsWith("gr")),
        new Case(
            "dict <> str", r -> r.dict() != null && r.str() != null && !r.dict().equals(r.str())),
        // timestamps with a time zone: the literal is UTC
        new Case(
            "ts > TIMESTAMP '2023-11-14 22:13:20'",
            r -> r.tsMicros() != null && r.tsMicros() > 1_700_000_000_000_000L),
        new Case(
            "ts >= TIMESTAMP '2023-11-14 22:13:20'",
            r -> r.tsMicros() != null && r.tsMicros() >= 1_700_000_000_000_000L),
        new Case(
            "ts = TIMESTAMP '2023-11-14 22:13:20.000001'",
            r -> r.tsMicros() != null && r.tsMicros() == 1_700_000_000_000_001L),
        new Case(
            "ts BETWEEN TIMESTAMP '2020-01-01 00:00:00' AND TIMESTAMP '2023-11-14 22:14:00'",
            r ->
                r.tsMicros() != null
                    && r.tsMicros() >= 1_577_836_800_000_000L
                    && r.tsMicros() <= 1_700_000_040_000_000L),
        // decimals, compared exactly
        new Case(
            "dec = 10.5", r -> r.dec() != null && r.dec().compareTo(new BigDecimal("10.5")) == 0),
        new Case(
            "dec > 10.49", r -> r.dec() != null && r.dec().compareTo(new BigDecimal("10.49")) > 0),
        new Case("dec < 0", r -> r.dec() != null && r.dec().signum() < 0),
        new Case(
            "dec >= 99999999.99",
            r -> r.dec() != null && r.dec().compareTo(new BigDecimal("99999999.99")) >= 0),
        new Case(
            "dec + 0.01 = 10.51",
            r ->
                r.dec() != null
                    && r.dec().add(new BigDecimal("0.01")).compareTo(new BigDecimal("10.51")) == 0),
        // dates
        new Case("day = DATE '2024-01-01'", r -> LocalDate.of(2024, 1, 1).equals(r.day())),
        new Case(
            "day < DATE '1970-01-01'", r -> r.day() != null && r.day().isBefore(LocalDate.EPOCH)),
        new Case(
            "day BETWEEN DATE '2020-01-01' AND DATE '2023-12-31'",
            r ->
                r.day() != null
                    && !r.day().isBefore(LocalDate.of(2020, 1, 1))
                    && !r.day().isAfter(LocalDate.of(2023, 12, 31))),
        // booleans
        new Case("flag", r -> Boolean.TRUE.equals(r.flag())),
        new Case("NOT flag", r -> Boolean.FALSE.equals(r.flag())),
        new Case("flag = FALSE OR flag IS NULL", r -> !Boolean.TRUE.equals(r.flag())),
        new Case(
            "flag AND i32 > 5",
            r -> Boolean.TRUE.equals(r.flag()) && r.i32() != null && r.i32() > 5),
        // three-valued logic
        new Case(
            "i32 > 5 OR dbl > 1",
            r -> (r.i32() != null && r.i32() > 5) || (r.dbl() != null && r.dbl() > 1)),
        new Case(
            "NOT (i32 > 5 AND str = 'apple')",
            r ->
                (r.i32() != null && r.i32() <= 5) || (r.str() != null && !r.str().equals("apple"))),
        new Case("i32 = NULL", r -> false),
        new Case("TRUE", r -> true),
        new Case("1 = 2", r -> false));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nativeScanSelectsTheRowsTheFilterDoes(Case c) throws Exception {
    RowFilter filter = RowFilter.parse(c.sql(), TypedParquet.SCHEMA);
    List<Long> ids = TypedParquet.scanIds(allocator, uri, filter.toSubstrait(fileSchema, Map.of()));
    List<Long> expected = TypedParquet.ROWS.stream().filter(c.expected()).map(Row::id).toList();
    assertThat(ids).containsExactlyElementsOf(expected);
  }

  @Test
  void longInListsStayShallow() throws Exception {
    String values =
        java.util.stream.IntStream.range(1000, 1498)
            .mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(", "));
    RowFilter in = RowFilter.parse("i32 IN (5, 42, " + values + ")", TypedParquet.SCHEMA);
    assertThat(TypedParquet.scanIds(allocator, uri, in.toSubstrait(fileSchema, Map.of())))
        .containsExactly(0L, 3L, 7L);
    RowFilter notIn = RowFilter.parse("i32 NOT IN (5, 42, " + values + ")", TypedParquet.SCHEMA);
    assertThat(TypedParquet.scanIds(allocator, uri, notIn.toSubstrait(fileSchema, Map.of())))
        .containsExactly(1L, 4L, 5L, 6L);
  }

  @Test
  void longOrChainsAreBalanced() throws Exception {
    String ors =
        java.util.stream.IntStream.range(0, 550)
            .mapToObj(i -> "i32 = " + (i == 0 ? 42 : 1000 + i))
            .collect(java.util.stream.Collectors.joining(" OR "));
    RowFilter filter = RowFilter.parse(ors, TypedParquet.SCHEMA);
    assertThat(TypedParquet.scanIds(allocator, uri, filter.toSubstrait(fileSchema, Map.of())))
        .containsExactly(3L);
  }

  @Test
  void partitionValuesAreConstantsOfTheScan() throws Exception {
    Schema withPartition =
        new Schema(
            java.util.stream.Stream.concat(
                    TypedParquet.SCHEMA.getFields().stream(),
                    java.util.stream.Stream.of(
                        Field.nullable("region", ArrowType.Utf8.INSTANCE),
                        Field.nullable("year", new ArrowType.Int(64, true))))
                .toList());
    RowFilter filter =
        RowFilter.parse("region = 'eu' AND \"year\" >= 2024 AND i32 > 5", withPartition);
    assertThat(
            TypedParquet.scanIds(
                allocator,
                uri,
                filter.toSubstrait(fileSchema, Map.of("region", "eu", "year", 2024L))))
        .containsExactly(3L, 4L, 6L);
    assertThat(
            TypedParquet.scanIds(
                allocator,
                uri,
                filter.toSubstrait(fileSchema, Map.of("region", "us", "year", 2024L))))
        .isEmpty();
    assertThatThrownBy(() -> filter.toSubstrait(fileSchema, Map.of("region", "eu")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("year");
  }
}
