package dev.flightcluster.query;

import java.util.EnumSet;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.util.SqlBasicVisitor;

/**
 * The constructs a filter may use, checked on the parsed tree so a refusal can say where: the
 * operators the native scan evaluates (directly or after an exact rewrite) and nothing else.
 */
final class SupportedSql extends SqlBasicVisitor<Void> {
  static final String SUPPORTED =
      "supported: comparisons (= <> != < <= > >=), AND, OR, NOT, IN (...), BETWEEN, IS [NOT] NULL,"
          + " LIKE with an exact or prefix pattern ('abc' or 'abc%'), + - * /, and literals"
          + " (numbers, strings, TRUE/FALSE, NULL, DATE '..', TIME '..', TIMESTAMP '..')";

  private static final Set<SqlKind> OPERATORS =
      EnumSet.of(
          SqlKind.AND,
          SqlKind.OR,
          SqlKind.NOT,
          SqlKind.EQUALS,
          SqlKind.NOT_EQUALS,
          SqlKind.LESS_THAN,
          SqlKind.LESS_THAN_OR_EQUAL,
          SqlKind.GREATER_THAN,
          SqlKind.GREATER_THAN_OR_EQUAL,
          SqlKind.IN,
          SqlKind.NOT_IN,
          SqlKind.BETWEEN,
          SqlKind.IS_NULL,
          SqlKind.IS_NOT_NULL,
          SqlKind.LIKE,
          SqlKind.PLUS,
          SqlKind.MINUS,
          SqlKind.TIMES,
          SqlKind.DIVIDE,
          SqlKind.MINUS_PREFIX,
          SqlKind.PLUS_PREFIX);

  /**
   * Arrow's native side walks expressions recursively after flattening AND/OR chains, and crashed
   * the JVM with an IN list of 2,000 values (800 passed); the limits keep well below that.
   */
  static final int MAX_IN_VALUES = 500;

  private final String what;
  private int operators;

  private SupportedSql(String what) {
    this.what = what;
  }

  /** Throws INVALID_ARGUMENT at the first construct of {@code node} a filter may not use. */
  static void check(String what, SqlNode node) {
    node.accept(new SupportedSql(what));
  }

  @Override
  public Void visit(SqlCall call) {
    SqlKind kind = call.getKind();
    operators += call.getOperandList().stream().mapToInt(SupportedSql::weight).sum() + 1;
    if (operators > RowFilter.MAX_OPERATORS) {
      // Checked before going deeper: Calcite converts long chains recursively.
      throw refuse(
          call,
          "the filter has more than "
              + RowFilter.MAX_OPERATORS
              + " operators once IN, BETWEEN and LIKE are expanded");
    }
    if (kind == SqlKind.SELECT || kind == SqlKind.UNION || kind == SqlKind.EXISTS) {
      throw refuse(call, "subqueries are not supported");
    }
    if (call.getOperator().isAggregator()) {
      throw refuse(call, "aggregate functions are not supported in a filter");
    }
    if (!OPERATORS.contains(kind)) {
      throw refuse(call, call.getOperator().getName() + " is not supported");
    }
    if (kind == SqlKind.LIKE) {
      checkLike(call);
    }
    if ((kind == SqlKind.IN || kind == SqlKind.NOT_IN)
        && call.operand(1) instanceof SqlNodeList list
        && list.size() > MAX_IN_VALUES) {
      throw refuse(
          list,
          "an IN list takes at most " + MAX_IN_VALUES + " values, this one has " + list.size());
    }
    return super.visit(call);
  }

  @Override
  public Void visit(SqlLiteral literal) {
    SqlTypeFamily family = literal.getTypeName().getFamily();
    if (family == SqlTypeFamily.INTERVAL_DAY_TIME || family == SqlTypeFamily.INTERVAL_YEAR_MONTH) {
      throw refuse(literal, "interval literals are not supported");
    }
    return null;
  }

  @Override
  public Void visit(SqlDynamicParam param) {
    throw refuse(param, "parameters (?) are not supported");
  }

  @Override
  public Void visit(SqlDataTypeSpec type) {
    throw refuse(type, "type names are not supported");
  }

  @Override
  public Void visit(SqlIntervalQualifier qualifier) {
    throw refuse(qualifier, "intervals are not supported");
  }

  /** Operators an operand adds when expanded: an IN list is a chain of equalities. */
  private static int weight(SqlNode operand) {
    return operand instanceof SqlNodeList list ? 2 * list.size() : 0;
  }

  private void checkLike(SqlCall call) {
    if (call.operandCount() > 2) {
      SqlNode escape = call.operand(2);
      if (!(escape instanceof SqlCharStringLiteral)) {
        throw refuse(escape, "the ESCAPE of LIKE must be a string literal");
      }
    }
    SqlNode pattern = call.operand(1);
    if (!(pattern instanceof SqlCharStringLiteral literal)) {
      throw refuse(pattern, "the pattern of LIKE must be a string literal");
    }
    Character escape = call.operandCount() > 2 ? escapeChar(call.operand(2)) : null;
    String text = literal.getValueAs(String.class);
    if (LikePattern.parse(text, escape) == null) {
      throw refuse(
          pattern,
          "LIKE pattern '"
              + text
              + "' is not supported: the native scan runs exact patterns ('abc') and prefixes"
              + " ('abc%'); '_' and '%' elsewhere are not supported");
    }
  }

  private Character escapeChar(SqlNode node) {
    String escape = ((SqlCharStringLiteral) node).getValueAs(String.class);
    if (escape.length() != 1) {
      throw refuse(node, "the ESCAPE of LIKE must be one character");
    }
    return escape.charAt(0);
  }

  private RuntimeException refuse(SqlNode node, String problem) {
    return SqlErrors.invalid(what, node.getParserPosition(), problem + "; " + SUPPORTED);
  }
}
