package dev.flightcluster.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;

/**
 * The one statement the Flight SQL face runs: {@code SELECT <columns or *> FROM <dataset> [WHERE
 * <filter>] [LIMIT n]}, or {@code SELECT COUNT(*) FROM <dataset>}. A dataset name that is not a
 * plain identifier is quoted: {@code SELECT * FROM "dir/sales.parquet"}. The dataset may be
 * qualified by up to two names ({@code "catalog"."schema"."dataset"}, as JDBC tools write it); the
 * qualifiers are not checked here (the Flight SQL face knows its one catalog and schema).
 *
 * @param dataset the table, which is a dataset name
 * @param columns the selected columns in order; empty for {@code *}
 * @param filter the WHERE clause as SQL text that {@link RowFilter#parse} accepts (Calcite's
 *     rendering of the clause, identifiers double-quoted); null for none
 * @param limit the LIMIT, if any
 * @param countStar whether this is {@code SELECT COUNT(*)} (then columns is empty)
 */
public record SelectStatement(
    String dataset, List<String> columns, String filter, OptionalLong limit, boolean countStar) {
  private static final String WHAT = "statement";
  private static final String SUPPORTED =
      "supported: SELECT <columns or *> FROM <dataset> [WHERE <filter>] [LIMIT n],"
          + " and SELECT COUNT(*) FROM <dataset>";

  /** Renders WHERE clauses in the dialect filters are parsed in. */
  private static final SqlDialect FILTER_DIALECT =
      new SqlDialect(
          SqlDialect.EMPTY_CONTEXT
              .withIdentifierQuoteString("\"")
              .withUnquotedCasing(Casing.UNCHANGED)
              .withQuotedCasing(Casing.UNCHANGED)
              .withCaseSensitive(true));

  public SelectStatement {
    requireNonNull(dataset, "dataset is null");
    columns = List.copyOf(columns);
    requireNonNull(limit, "limit is null");
  }

  /**
   * Parses one statement. Anything but the supported shape gets INVALID_ARGUMENT that says what is
   * supported.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT with the position
   */
  public static SelectStatement parse(String sql) {
    requireNonNull(sql, "sql is null");
    SqlNode statement;
    try {
      statement = SqlParser.create(sql, SqlSyntax.PARSER).parseStmt();
    } catch (SqlParseException e) {
      throw SqlErrors.syntax(WHAT, e);
    }
    OptionalLong limit = OptionalLong.empty();
    if (statement instanceof SqlOrderBy orderBy) {
      if (!orderBy.orderList.isEmpty()) {
        throw refuse(orderBy.orderList, "ORDER BY is not supported");
      }
      if (orderBy.offset != null) {
        throw refuse(orderBy.offset, "OFFSET is not supported");
      }
      if (orderBy.fetch != null) {
        limit = OptionalLong.of(limit(orderBy.fetch));
      }
      statement = orderBy.query;
    }
    if (!(statement instanceof SqlSelect select)) {
      throw refuse(statement, statement.getKind() + " is not supported");
    }
    if (select.isDistinct()) {
      throw refuse(select, "DISTINCT is not supported");
    }
    if (select.getGroup() != null) {
      throw refuse(select.getGroup(), "GROUP BY is not supported");
    }
    if (select.getHaving() != null) {
      throw refuse(select.getHaving(), "HAVING is not supported");
    }
    if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
      throw refuse(select.getWindowList(), "WINDOW is not supported");
    }
    if (select.getQualify() != null) {
      throw refuse(select.getQualify(), "QUALIFY is not supported");
    }
    if (select.getOrderList() != null && !select.getOrderList().isEmpty()) {
      throw refuse(select.getOrderList(), "ORDER BY is not supported");
    }
    if (select.getOffset() != null) {
      throw refuse(select.getOffset(), "OFFSET is not supported");
    }
    if (select.getFetch() != null) {
      limit = OptionalLong.of(limit(select.getFetch()));
    }
    String dataset = dataset(select.getFrom(), select);
    boolean countStar = false;
    List<String> columns = new ArrayList<>();
    SqlNodeList items = select.getSelectList();
    if (items.size() == 1 && isCountStar(items.get(0))) {
      countStar = true;
    } else if (items.size() == 1
        && items.get(0) instanceof SqlIdentifier star
        && star.isStar()
        && star.names.size() == 1) {
      // SELECT *: every column.
    } else {
      for (SqlNode item : items) {
        if (!(item instanceof SqlIdentifier column) || column.isStar()) {
          throw refuse(
              item,
              "the select list takes column names, * or COUNT(*); expressions, aliases and"
                  + " qualified * are not supported");
        }
        columns.add(column.names.get(column.names.size() - 1));
      }
    }
    String filter =
        select.getWhere() == null
            ? null
            : unqualify(select.getWhere()).toSqlString(FILTER_DIALECT).getSql();
    return new SelectStatement(dataset, columns, filter, limit, countStar);
  }

  /**
   * The WHERE clause with columns qualified by the table ({@code "trips"."fare"}, as some tools
   * write them) reduced to their names, since a filter is over one dataset's columns.
   */
  private static SqlNode unqualify(SqlNode node) {
    if (node instanceof SqlIdentifier id && !id.isSimple() && !id.isStar()) {
      return new SqlIdentifier(id.names.get(id.names.size() - 1), id.getParserPosition());
    }
    if (node instanceof SqlBasicCall call) {
      // The parsed tree is this method's own, so its calls are changed in place.
      for (int i = 0; i < call.operandCount(); i++) {
        SqlNode operand = call.operand(i);
        if (operand != null) {
          call.setOperand(i, unqualify(operand));
        }
      }
    } else if (node instanceof SqlNodeList list) {
      for (int i = 0; i < list.size(); i++) {
        list.set(i, unqualify(list.get(i)));
      }
    }
    return node;
  }

  private static boolean isCountStar(SqlNode item) {
    return item instanceof SqlCall call
        && call.getOperator().getName().equalsIgnoreCase("COUNT")
        && call.getFunctionQuantifier() == null
        && call.operandCount() == 1
        && call.operand(0) instanceof SqlIdentifier star
        && star.isStar();
  }

  private static String dataset(SqlNode from, SqlSelect select) {
    if (from == null) {
      throw refuse(select, "a FROM <dataset> is required");
    }
    if (!(from instanceof SqlIdentifier table)) {
      throw refuse(
          from,
          "FROM takes one dataset name; joins, subqueries, aliases and table functions are not"
              + " supported");
    }
    if (table.names.size() > 3) {
      throw refuse(from, "a dataset name takes at most two qualifiers (catalog and schema)");
    }
    return table.names.get(table.names.size() - 1);
  }

  private static long limit(SqlNode fetch) {
    if (!(fetch instanceof SqlNumericLiteral number) || !number.isInteger()) {
      throw refuse(fetch, "LIMIT takes a whole number");
    }
    long value = number.longValue(true);
    if (value < 0) {
      throw refuse(fetch, "LIMIT must not be negative");
    }
    return value;
  }

  private static RuntimeException refuse(SqlNode node, String problem) {
    return SqlErrors.invalid(WHAT, node.getParserPosition(), problem + "; " + SUPPORTED);
  }
}
