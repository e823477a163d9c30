package dev.flightcluster.query;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;

/**
 * Turns filter text into a validated Calcite expression over a schema's columns: Calcite parses it,
 * {@link SupportedSql} refuses what the native scan cannot run, Calcite's validator resolves the
 * columns and checks the types (without implicit coercions, so {@code int_col = 'x'} is a type
 * mismatch rather than a cast that fails later), and Calcite converts the result into a row
 * expression whose input references are schema field indexes.
 */
final class FilterCompiler {
  static final String WHAT = "filter";

  private FilterCompiler() {}

  /** A compiled filter: the expression, and the builder whose type factory made its types. */
  record Compiled(RexNode condition, RexBuilder rexBuilder) {}

  static Compiled compile(String sql, Schema schema) {
    SqlNode parsed;
    try {
      parsed = SqlParser.create(sql, SqlSyntax.PARSER).parseExpression();
    } catch (SqlParseException e) {
      throw SqlErrors.syntax(WHAT, e);
    }
    SupportedSql.check(WHAT, parsed);
    parsed = Balance.balance(WHAT, parsed);

    JavaTypeFactory types = new JavaTypeFactoryImpl(ArrowRowType.TYPE_SYSTEM);
    List<ArrowRowType.Column> columns = ArrowRowType.columns(schema, types);
    Properties properties = new Properties();
    properties.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "true");
    CalciteConnectionConfig config = new CalciteConnectionConfigImpl(properties);
    CalciteCatalogReader catalog =
        new CalciteCatalogReader(CalciteSchema.createRootSchema(false), List.of(), types, config);
    SqlValidator validator =
        SqlValidatorUtil.newValidator(
            SqlStdOperatorTable.instance(),
            catalog,
            types,
            SqlValidator.Config.DEFAULT
                .withConformance(SqlSyntax.CONFORMANCE)
                .withTypeCoercionEnabled(false));

    Map<String, RelDataType> columnTypes = new HashMap<>();
    for (ArrowRowType.Column column : columns) {
      columnTypes.put(column.name(), column.type());
    }
    SqlNode validated;
    try {
      validated = validator.validateParameterizedExpression(parsed, columnTypes);
    } catch (CalciteContextException e) {
      throw SqlErrors.validation(WHAT, e);
    }
    TypeCheck.check(WHAT, validated, validator);
    RelDataType type = validator.getValidatedNodeType(validated);
    if (type.getSqlTypeName() != SqlTypeName.BOOLEAN) {
      throw SqlErrors.invalid(
          WHAT,
          parsed.getParserPosition(),
          "a filter must be a boolean expression, not " + type.getFullTypeString());
    }

    RexBuilder rexBuilder = new RexBuilder(types);
    RelOptCluster cluster =
        RelOptCluster.create(new HepPlanner(HepProgram.builder().build()), rexBuilder);
    SqlToRelConverter converter =
        new SqlToRelConverter(
            null,
            validator,
            catalog,
            cluster,
            StandardConvertletTable.INSTANCE,
            SqlToRelConverter.config().withInSubQueryThreshold(Integer.MAX_VALUE));
    Map<String, RexNode> references = new HashMap<>();
    for (ArrowRowType.Column column : columns) {
      references.put(column.name(), rexBuilder.makeInputRef(column.type(), column.index()));
    }
    RexNode condition = converter.convertExpression(validated, references);
    return new Compiled(condition, rexBuilder);
  }
}
