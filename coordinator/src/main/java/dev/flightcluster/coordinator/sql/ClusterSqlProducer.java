package dev.flightcluster.coordinator.sql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.flightcluster.coordinator.sql.SqlStatement.Count;
import dev.flightcluster.coordinator.sql.SqlStatement.Query;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Messages;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionClosePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementResult;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetCatalogs;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetCrossReference;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetDbSchemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetExportedKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetImportedKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetPrimaryKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetSqlInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTableTypes;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTables;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetXdbcTypeInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementUpdate;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableExistsOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableNotExistOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementUpdate;
import org.apache.arrow.flight.sql.impl.FlightSql.DoPutUpdateResult;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlSupportedTransaction;
import org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The coordinator's Flight SQL producer (D83): the catalog calls answered from the coordinator's
 * catalog, statements and prepared statements planned into endpoints at the data servers, {@code
 * SELECT COUNT(*)} answered from the catalog, and bulk ingest written as a cluster put. Everything
 * else of Flight SQL is UNIMPLEMENTED, saying what is served.
 *
 * <p>Stateless: a prepared statement's handle is its SQL text (D84) and the {@code COUNT(*)} ticket
 * carries its answer, so any coordinator serves any handle or ticket. Thread-safe; holds no
 * resources (the allocator belongs to the caller).
 */
public final class ClusterSqlProducer implements FlightSqlProducer {
  /** The Flight SQL requests served, for the UNIMPLEMENTED messages. */
  static final String SERVED =
      "this cluster serves GetSqlInfo, GetCatalogs, GetDbSchemas, GetTables, GetTableTypes,"
          + " statement queries, prepared statements (create, execute, close) and bulk ingest";

  private final SqlTables tables;
  private final BulkIngest ingest;
  private final BufferAllocator allocator;
  private final MetadataResults results;
  private final SqlInfoBuilder sqlInfo;

  /**
   * @param tables the catalog and planner to answer from
   * @param ingest writes bulk ingests
   * @param allocator for the results served here; the caller keeps ownership
   * @param version the cluster's version, reported by GetSqlInfo
   */
  public ClusterSqlProducer(
      SqlTables tables, BulkIngest ingest, BufferAllocator allocator, String version) {
    this.tables = requireNonNull(tables, "tables is null");
    this.ingest = requireNonNull(ingest, "ingest is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    requireNonNull(version, "version is null");
    this.results = new MetadataResults(allocator);
    this.sqlInfo =
        new SqlInfoBuilder()
            .withFlightSqlServerName("arrow-flight-cluster")
            .withFlightSqlServerVersion(version)
            .withFlightSqlServerArrowVersion(arrowVersion())
            .withFlightSqlServerReadOnly(false)
            .withFlightSqlServerSql(true)
            .withFlightSqlServerSubstrait(false)
            .withFlightSqlServerTransaction(SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
            .withFlightSqlServerCancel(false)
            .withFlightSqlServerBulkIngestion(true)
            .withFlightSqlServerBulkIngestionTransaction(false)
            .withSqlIdentifierQuoteChar("\"")
            .withSqlDdlCatalog(false)
            .withSqlDdlSchema(false);
  }

  // Statements.

  @Override
  public FlightInfo getFlightInfoStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return flightInfo(SqlStatement.parse(command.getQuery()), descriptor);
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return flightInfo(
        SqlStatement.fromHandle(command.getPreparedStatementHandle().toByteArray()), descriptor);
  }

  @Override
  public SchemaResult getSchemaStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return new SchemaResult(schema(SqlStatement.parse(command.getQuery())));
  }

  @Override
  public SchemaResult getSchemaPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    return new SchemaResult(
        schema(SqlStatement.fromHandle(command.getPreparedStatementHandle().toByteArray())));
  }

  /** Serves the one ticket the coordinator hands out for a statement: a COUNT(*)'s answer. */
  @Override
  public void getStreamStatement(
      TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    CountAnswer answer = CountAnswer.decode(ticket.getStatementHandle().toByteArray());
    results.count(listener, answer.rows());
  }

  @Override
  public void getStreamPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, ServerStreamListener listener) {
    listener.error(
        CallStatus.INVALID_ARGUMENT
            .withDescription(
                "DoGet takes the tickets of the FlightInfo that GetFlightInfo returns for the"
                    + " prepared statement, at their locations")
            .toRuntimeException());
  }

  @Override
  public void createPreparedStatement(
      ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    if (request.hasTransactionId()) {
      throw unimplemented("transactions");
    }
    String sql = request.getQuery();
    // Validated now, so that a bad statement fails at prepare time as with any database.
    Schema schema = schema(SqlStatement.parse(sql));
    ActionCreatePreparedStatementResult result =
        ActionCreatePreparedStatementResult.newBuilder()
            .setPreparedStatementHandle(ByteString.copyFrom(sql, StandardCharsets.UTF_8))
            .setDatasetSchema(ByteString.copyFrom(MetadataResults.ipcSchema(schema)))
            .build();
    listener.onNext(new Result(Any.pack(result).toByteArray()));
    listener.onCompleted();
  }

  /** Nothing to free: the handle is the statement itself (D84). */
  @Override
  public void closePreparedStatement(
      ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    listener.onCompleted();
  }

  /**
   * Parameters are not supported; a client that binds none may still send an empty stream, which is
   * accepted.
   */
  @Override
  public Runnable acceptPutPreparedStatementQuery(
      CommandPreparedStatementQuery command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    return () -> {
      while (stream.next()) {
        if (stream.getRoot().getRowCount() > 0) {
          throw CallStatus.INVALID_ARGUMENT
              .withDescription(
                  "prepared statements take no parameters: write the values into the statement's"
                      + " WHERE clause")
              .toRuntimeException();
        }
      }
      ackStream.onCompleted();
    };
  }

  // Bulk ingest.

  @Override
  public Runnable acceptPutStatementBulkIngest(
      CommandStatementIngest command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    if (command.hasTransactionId()) {
      throw unimplemented("transactions");
    }
    if (command.getTemporary()) {
      throw unimplemented("temporary tables");
    }
    checkNamespace(command.hasCatalog(), command.getCatalog(), MetadataResults.CATALOG, "catalog");
    checkNamespace(command.hasSchema(), command.getSchema(), MetadataResults.DB_SCHEMA, "schema");
    String table = command.getTable();
    boolean append = append(table, command.getTableDefinitionOptions());
    return () -> {
      long rows = ingest.ingest(context, table, append, stream);
      byte[] result = DoPutUpdateResult.newBuilder().setRecordCount(rows).build().toByteArray();
      try (ArrowBuf buffer = allocator.buffer(result.length)) {
        buffer.writeBytes(result);
        ackStream.onNext(PutResult.metadata(buffer));
      }
      ackStream.onCompleted();
    };
  }

  /**
   * Whether an ingest appends: the options asked for, against whether the table exists now. A put
   * that creates still fails with ALREADY_EXISTS when another put wins the name meanwhile.
   */
  private boolean append(String table, TableDefinitionOptions options) {
    TableExistsOption ifExists = options.getIfExists();
    TableNotExistOption ifNotExist = options.getIfNotExist();
    if (ifExists == TableExistsOption.TABLE_EXISTS_OPTION_REPLACE) {
      throw unimplemented(
          "replacing a table (if_exists REPLACE): datasets are immutable; ingest under a new name,"
              + " or append");
    }
    boolean exists = exists(table);
    if (!exists) {
      if (ifNotExist == TableNotExistOption.TABLE_NOT_EXIST_OPTION_FAIL) {
        throw CallStatus.NOT_FOUND
            .withDescription(
                "table '" + table + "' does not exist and the ingest asks not to create it")
            .toRuntimeException();
      }
      return false;
    }
    if (ifExists == TableExistsOption.TABLE_EXISTS_OPTION_APPEND) {
      return true;
    }
    throw CallStatus.ALREADY_EXISTS
        .withDescription(
            "table '" + table + "' already exists; append to it, or ingest under another name")
        .toRuntimeException();
  }

  private boolean exists(String table) {
    try {
      tables.table(DatasetName.of(table), "CommandStatementIngest");
      return true;
    } catch (FlightRuntimeException e) {
      if (e.status().code() == CallStatus.NOT_FOUND.code()) {
        return false;
      }
      throw e;
    }
  }

  // Catalog calls: each answered by a ticket to this coordinator, which DoGet then serves.

  @Override
  public FlightInfo getFlightInfoSqlInfo(
      CommandGetSqlInfo command, CallContext context, FlightDescriptor descriptor) {
    return here(command, Schemas.GET_SQL_INFO_SCHEMA, descriptor);
  }

  @Override
  public void getStreamSqlInfo(
      CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    sqlInfo.send(command.getInfoList(), listener);
  }

  @Override
  public FlightInfo getFlightInfoCatalogs(
      CommandGetCatalogs command, CallContext context, FlightDescriptor descriptor) {
    return here(command, Schemas.GET_CATALOGS_SCHEMA, descriptor);
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    results.catalogs(listener);
  }

  @Override
  public FlightInfo getFlightInfoSchemas(
      CommandGetDbSchemas command, CallContext context, FlightDescriptor descriptor) {
    return here(command, Schemas.GET_SCHEMAS_SCHEMA, descriptor);
  }

  @Override
  public void getStreamSchemas(
      CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    results.dbSchemas(
        listener,
        inCatalog(command.hasCatalog(), command.getCatalog())
            && LikePattern.of(
                    command.hasDbSchemaFilterPattern(), command.getDbSchemaFilterPattern())
                .matches(MetadataResults.DB_SCHEMA));
  }

  @Override
  public FlightInfo getFlightInfoTables(
      CommandGetTables command, CallContext context, FlightDescriptor descriptor) {
    return here(
        command,
        command.getIncludeSchema()
            ? Schemas.GET_TABLES_SCHEMA
            : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
        descriptor);
  }

  @Override
  public void getStreamTables(
      CommandGetTables command, CallContext context, ServerStreamListener listener) {
    boolean inSchema =
        inCatalog(command.hasCatalog(), command.getCatalog())
            && LikePattern.of(
                    command.hasDbSchemaFilterPattern(), command.getDbSchemaFilterPattern())
                .matches(MetadataResults.DB_SCHEMA)
            && (command.getTableTypesCount() == 0
                || command.getTableTypesList().contains(MetadataResults.TABLE_TYPE));
    LikePattern names =
        LikePattern.of(command.hasTableNameFilterPattern(), command.getTableNameFilterPattern());
    List<MetadataResults.Table> rows =
        inSchema
            ? tables.tables("GetTables").stream()
                .map(
                    info ->
                        new MetadataResults.Table(
                            String.join("/", info.getDescriptor().getPath()), info.getSchema()))
                .filter(table -> names.matches(table.name()))
                .sorted(Comparator.comparing(MetadataResults.Table::name))
                .toList()
            : List.of();
    results.tables(listener, rows, command.getIncludeSchema());
  }

  @Override
  public FlightInfo getFlightInfoTableTypes(
      CommandGetTableTypes command, CallContext context, FlightDescriptor descriptor) {
    return here(command, Schemas.GET_TABLE_TYPES_SCHEMA, descriptor);
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    results.tableTypes(listener);
  }

  // Not served: each says so, and what is.

  @Override
  public Runnable acceptPutStatement(
      CommandStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    throw unimplemented("update statements (INSERT, UPDATE, DELETE, DDL); bulk ingest writes");
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      CommandPreparedStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ackStream) {
    throw unimplemented("prepared update statements");
  }

  @Override
  public FlightInfo getFlightInfoTypeInfo(
      CommandGetXdbcTypeInfo command, CallContext context, FlightDescriptor descriptor) {
    throw unimplemented("GetXdbcTypeInfo");
  }

  @Override
  public void getStreamTypeInfo(
      CommandGetXdbcTypeInfo command, CallContext context, ServerStreamListener listener) {
    listener.error(unimplemented("GetXdbcTypeInfo"));
  }

  @Override
  public FlightInfo getFlightInfoPrimaryKeys(
      CommandGetPrimaryKeys command, CallContext context, FlightDescriptor descriptor) {
    throw unimplemented("GetPrimaryKeys (datasets have no keys)");
  }

  @Override
  public void getStreamPrimaryKeys(
      CommandGetPrimaryKeys command, CallContext context, ServerStreamListener listener) {
    listener.error(unimplemented("GetPrimaryKeys (datasets have no keys)"));
  }

  @Override
  public FlightInfo getFlightInfoExportedKeys(
      CommandGetExportedKeys command, CallContext context, FlightDescriptor descriptor) {
    throw unimplemented("GetExportedKeys (datasets have no keys)");
  }

  @Override
  public FlightInfo getFlightInfoImportedKeys(
      CommandGetImportedKeys command, CallContext context, FlightDescriptor descriptor) {
    throw unimplemented("GetImportedKeys (datasets have no keys)");
  }

  @Override
  public FlightInfo getFlightInfoCrossReference(
      CommandGetCrossReference command, CallContext context, FlightDescriptor descriptor) {
    throw unimplemented("GetCrossReference (datasets have no keys)");
  }

  @Override
  public void getStreamExportedKeys(
      CommandGetExportedKeys command, CallContext context, ServerStreamListener listener) {
    listener.error(unimplemented("GetExportedKeys (datasets have no keys)"));
  }

  @Override
  public void getStreamImportedKeys(
      CommandGetImportedKeys command, CallContext context, ServerStreamListener listener) {
    listener.error(unimplemented("GetImportedKeys (datasets have no keys)"));
  }

  @Override
  public void getStreamCrossReference(
      CommandGetCrossReference command, CallContext context, ServerStreamListener listener) {
    listener.error(unimplemented("GetCrossReference (datasets have no keys)"));
  }

  @Override
  public void close() {}

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    // The coordinator routes ListFlights to its plain Flight service; never reached.
    listener.onError(unimplemented("ListFlights"));
  }

  /**
   * A Flight SQL request this cluster does not serve, with what it does.
   *
   * @param what the request, for the message
   */
  static FlightRuntimeException unimplemented(String what) {
    return CallStatus.UNIMPLEMENTED
        .withDescription("Flight SQL " + what + " is not supported; " + SERVED)
        .toRuntimeException();
  }

  private static String arrowVersion() {
    String version = FlightInfo.class.getPackage().getImplementationVersion();
    return version == null ? "unknown" : version;
  }

  /** A Flight SQL action this cluster does not serve (transactions, savepoints, cancel...). */
  public static FlightRuntimeException unimplementedAction(String action) {
    return unimplemented("action " + action);
  }

  private FlightInfo flightInfo(SqlStatement statement, FlightDescriptor descriptor) {
    return switch (statement) {
      case Query query -> tables.plan(descriptor, query.command());
      case Count count -> {
        long rows = rows(count.dataset());
        Ticket ticket =
            new Ticket(
                Any.pack(
                        TicketStatementQuery.newBuilder()
                            .setStatementHandle(ByteString.copyFrom(new CountAnswer(rows).encode()))
                            .build())
                    .toByteArray());
        yield new FlightInfo(
            MetadataResults.COUNT_SCHEMA, descriptor, List.of(new FlightEndpoint(ticket)), -1, 1);
      }
    };
  }

  private Schema schema(SqlStatement statement) {
    return switch (statement) {
      case Query query -> tables.schema(query.command());
      case Count count -> {
        rows(count.dataset());
        yield MetadataResults.COUNT_SCHEMA;
      }
    };
  }

  private long rows(DatasetName dataset) {
    long rows = tables.table(dataset, "SELECT COUNT(*)").getRecords();
    if (rows < 0) {
      throw CallStatus.UNIMPLEMENTED
          .withDescription(
              "the catalog does not know how many rows dataset '"
                  + dataset
                  + "' has, so SELECT COUNT(*) cannot answer; read the rows instead")
          .toRuntimeException();
    }
    return rows;
  }

  /** A result served by this coordinator: one endpoint without locations, so the same channel. */
  private static FlightInfo here(Message command, Schema schema, FlightDescriptor descriptor) {
    return new FlightInfo(
        schema,
        descriptor,
        List.of(new FlightEndpoint(new Ticket(Any.pack(command).toByteArray()))),
        -1,
        -1);
  }

  private static boolean inCatalog(boolean present, String catalog) {
    return !present || catalog.isEmpty() || catalog.equals(MetadataResults.CATALOG);
  }

  private static void checkNamespace(boolean present, String value, String ours, String what) {
    if (present && !value.isEmpty() && !value.equals(ours)) {
      throw CallStatus.NOT_FOUND
          .withDescription("there is one " + what + ", '" + ours + "'; got '" + value + "'")
          .toRuntimeException();
    }
  }

  /** What a COUNT(*) ticket carries: the answer itself, so that no state is kept for it. */
  record CountAnswer(@JsonProperty("count_rows") long rows) {
    byte[] encode() {
      return Messages.encode(this);
    }

    static CountAnswer decode(byte[] handle) {
      return Messages.decode(handle, CountAnswer.class);
    }
  }
}
