package dev.flightcluster.query;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.validate.SqlValidator;

/**
 * The type rule Calcite's validator leaves out: the values a comparison, IN, BETWEEN or LIKE puts
 * side by side must be of one kind (numbers, strings, booleans, dates, times or timestamps).
 * Calcite accepts {@code int_col = 'x'} and would cast at run time; a filter calls it a type
 * mismatch, at the operator's position.
 */
final class TypeCheck extends SqlBasicVisitor<Void> {
  private final String what;
  private final SqlValidator validator;

  private TypeCheck(String what, SqlValidator validator) {
    this.what = what;
    this.validator = validator;
  }

  static void check(String what, SqlNode validated, SqlValidator validator) {
    validated.accept(new TypeCheck(what, validator));
  }

  @Override
  public Void visit(SqlCall call) {
    switch (call.getKind()) {
      case EQUALS,
          NOT_EQUALS,
          LESS_THAN,
          LESS_THAN_OR_EQUAL,
          GREATER_THAN,
          GREATER_THAN_OR_EQUAL,
          IN,
          NOT_IN,
          BETWEEN,
          LIKE ->
          sameKind(call);
      default -> {}
    }
    return super.visit(call);
  }

  private void sameKind(SqlCall call) {
    List<SqlNode> values = new ArrayList<>();
    for (SqlNode operand : call.getOperandList()) {
      if (operand instanceof SqlNodeList list) {
        values.addAll(list.getList());
      } else if (operand != null && !(call.getKind() == SqlKind.BETWEEN && isSymbol(operand))) {
        values.add(operand);
      }
    }
    if (call.getKind() == SqlKind.LIKE && values.size() > 2) {
      values = values.subList(0, 2);
    }
    String kind = null;
    RelDataType first = null;
    for (SqlNode value : values) {
      RelDataType type = validator.getValidatedNodeTypeIfKnown(value);
      String valueKind = type == null ? null : kind(type.getSqlTypeName());
      if (valueKind == null) {
        continue;
      }
      if (kind == null) {
        kind = valueKind;
        first = type;
      } else if (!kind.equals(valueKind)) {
        throw SqlErrors.invalid(
            what,
            call.getParserPosition(),
            "type mismatch: "
                + call.getOperator().getName()
                + " compares "
                + first.getSqlTypeName()
                + " with "
                + type.getSqlTypeName());
      }
    }
  }

  private static boolean isSymbol(SqlNode node) {
    return node.getKind() == SqlKind.LITERAL
        && ((org.apache.calcite.sql.SqlLiteral) node).getTypeName() == SqlTypeName.SYMBOL;
  }

  /** The kind of value a type holds; null for the NULL literal, which goes with anything. */
  private static String kind(SqlTypeName type) {
    return switch (type) {
      case TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, FLOAT, DOUBLE -> "number";
      case CHAR, VARCHAR -> "string";
      case BOOLEAN -> "boolean";
      case DATE -> "date";
      case TIME -> "time";
      case TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> "timestamp";
      case NULL -> null;
      default -> type.getName();
    };
  }
}
