package dev.flightcluster.server.upload;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchValidatorTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final DictionaryProvider.MapDictionaryProvider noDictionaries =
      new DictionaryProvider.MapDictionaryProvider();

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private static final Field INT = Field.nullable("item", new ArrowType.Int(32, true));

  /**
   * Types arrow-java's own full validation refuses to walk, which uploads may hold all the same.
   */
  static final Schema NESTED =
      new Schema(
          List.of(
              new Field("pair", FieldType.nullable(new ArrowType.FixedSizeList(2)), List.of(INT)),
              Field.nullable("view", new ArrowType.Utf8View()),
              new Field("list", FieldType.nullable(new ArrowType.List()), List.of(INT)),
              new Field(
                  "point",
                  FieldType.nullable(new ArrowType.Struct()),
                  List.of(Field.nullable("x", new ArrowType.Int(32, true))))));

  static void fillNested(VectorSchemaRoot root) {
    FixedSizeListVector pairs = (FixedSizeListVector) root.getVector("pair");
    pairs.allocateNew();
    IntVector pairItems = (IntVector) pairs.getDataVector();
    for (int row = 0; row < 3; row++) {
      pairs.setNotNull(row);
      pairItems.setSafe(2 * row, row);
      pairItems.setSafe(2 * row + 1, -row);
    }
    pairItems.setValueCount(6);
    ViewVarCharVector views = (ViewVarCharVector) root.getVector("view");
    views.allocateNew();
    views.setSafe(0, "short".getBytes(StandardCharsets.UTF_8));
    views.setSafe(1, "a value longer than twelve bytes".getBytes(StandardCharsets.UTF_8));
    views.setNull(2);
    ListVector lists = (ListVector) root.getVector("list");
    UnionListWriter writer = lists.getWriter();
    for (int row = 0; row < 3; row++) {
      writer.setPosition(row);
      writer.startList();
      for (int i = 0; i <= row; i++) {
        writer.writeInt(i);
      }
      writer.endList();
    }
    StructVector points = (StructVector) root.getVector("point");
    IntVector x = (IntVector) points.getChild("x");
    for (int row = 0; row < 3; row++) {
      points.setIndexDefined(row);
      x.setSafe(row, row);
    }
    root.setRowCount(3);
  }

  @Test
  void validNestedViewAndFixedSizeListColumnsPass() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(NESTED, allocator)) {
      fillNested(root);
      assertThatCode(() -> BatchValidator.validate(root, noDictionaries, 1))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void aViewIntoAMissingDataBufferIsInvalidArgumentNamingTheColumn() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(NESTED, allocator)) {
      fillNested(root);
      ViewVarCharVector views = (ViewVarCharVector) root.getVector("view");
      views.getDataBuffer().setInt(16 + 8, 7); // row 1's buffer index
      assertInvalid(root, noDictionaries, "column 'view'", "data buffer 7");
    }
  }

  @Test
  void aFixedSizeListWithTooFewItemsIsInvalidArgument() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(NESTED, allocator)) {
      fillNested(root);
      ((FixedSizeListVector) root.getVector("pair")).getDataVector().setValueCount(5);
      assertInvalid(root, noDictionaries, "column 'pair[]'", "its parent refers to 6");
    }
  }

  @Test
  void float16AndDecimalsOfTheirFullPrecisionPassAndADecimalWithMoreDigitsDoesNot() {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("half", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF)),
                Field.nullable("price", new ArrowType.Decimal(4, 2, 128))));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      Float2Vector half = (Float2Vector) root.getVector("half");
      DecimalVector price = (DecimalVector) root.getVector("price");
      half.allocateNew();
      half.setSafeWithPossibleTruncate(0, 1.5f);
      half.setNull(1);
      price.allocateNew();
      price.setSafe(0, new BigDecimal("99.99"));
      price.setNull(1);
      root.setRowCount(2);
      assertThatCode(() -> BatchValidator.validate(root, noDictionaries, 1))
          .doesNotThrowAnyException();

      price.setSafe(1, 12_345L); // 123.45: five digits in a decimal(4, 2)
      assertInvalid(root, noDictionaries, "column 'price'", "value 1", "precision 4");
    }
  }

  @Test
  void decreasingStringOffsetsAreInvalidArgument() {
    Schema schema = new Schema(List.of(Field.nullable("name", new ArrowType.Utf8())));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      VarCharVector names = (VarCharVector) root.getVector(0);
      names.allocateNew();
      names.setSafe(0, "ab".getBytes(StandardCharsets.UTF_8));
      names.setSafe(1, "cd".getBytes(StandardCharsets.UTF_8));
      root.setRowCount(2);
      names.getOffsetBuffer().setInt(4, 3);
      names.getOffsetBuffer().setInt(8, 1);
      assertInvalid(root, noDictionaries, "record batch 1", "column 'name'");
    }
  }

  @Test
  void aDictionaryIndexOutsideItsDictionaryIsInvalidArgument() {
    DictionaryEncoding encoding = new DictionaryEncoding(5L, false, new ArrowType.Int(32, true));
    Schema schema =
        new Schema(
            List.of(
                new Field(
                    "color", new FieldType(true, new ArrowType.Int(32, true), encoding), null)));
    try (VarCharVector values = new VarCharVector("color", allocator);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      values.allocateNew();
      values.setSafe(0, "red".getBytes(StandardCharsets.UTF_8));
      values.setValueCount(1);
      var dictionaries =
          new DictionaryProvider.MapDictionaryProvider(new Dictionary(values, encoding));
      IntVector indices = (IntVector) root.getVector(0);
      indices.allocateNew(2);
      indices.set(0, 0);
      indices.set(1, 1);
      root.setRowCount(2);
      assertInvalid(root, dictionaries, "column 'color'", "row 1 refers to dictionary entry 1");
      assertInvalid(root, noDictionaries, "column 'color'", "never sent");
    }
  }

  private static void assertInvalid(
      VectorSchemaRoot root, DictionaryProvider dictionaries, String... parts) {
    assertThatThrownBy(() -> BatchValidator.validate(root, dictionaries, 1))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              org.assertj.core.api.Assertions.assertThat(e.status().code())
                  .isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              org.assertj.core.api.Assertions.assertThat(e.status().description())
                  .contains(parts)
                  .doesNotContain("Exception");
            });
  }
}
