package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.api.trace.SpanKind;
import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlClient.ExecuteIngestOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementResult;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableExistsOption;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementIngest.TableDefinitionOptions.TableNotExistOption;
import org.apache.arrow.flight.sql.impl.FlightSql.SqlInfo;
import org.apache.arrow.flight.sql.util.TableRef;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flight SQL on every coordinator (D83 to D85), through the real Arrow Flight SQL JDBC driver and
 * arrow-java's FlightSqlClient: the datasets as tables, a WHERE query whose rows come from two data
 * servers, COUNT(*) from the catalog, a prepared statement created at one coordinator and run at
 * another, bulk ingest, and what is not served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightSqlClusterTest {
  /** server-1 holds trips/f1.parquet, server-2 trips/f2.parquet. */
  private static final SampleTable F1 = new SampleTable(1_000, 1);

  private static final SampleTable F2 = new SampleTable(2_000, 2);
  private static final Map<Integer, SampleTable> BY_SEED = Map.of(1, F1, 2, F2);

  private InProcessCluster cluster;
  private final BufferAllocator allocator = new RootAllocator();

  @BeforeAll
  void start(@TempDir Path root) throws Exception {
    Path one = Files.createDirectories(root.resolve("server-1").resolve("trips"));
    Path two = Files.createDirectories(root.resolve("server-2").resolve("trips"));
    writeTable(one.resolve("f1.parquet"), F1);
    writeTable(two.resolve("f2.parquet"), F2);
    cluster =
        new InProcessCluster(
            List.of(one.getParent(), two.getParent()), 2, null, InProcessCluster.LEASE);
    for (Coordinator coordinator : cluster.coordinators()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(records(coordinator, "trips")).isEqualTo(3_000));
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      allocator.close();
    }
  }

  @Test
  void jdbcListsTheDatasetsAsTablesWithTheirColumns() throws Exception {
    try (Connection connection = jdbc(cluster.coordinator)) {
      DatabaseMetaData metadata = connection.getMetaData();
      assertThat(column(metadata.getCatalogs(), "TABLE_CAT")).containsExactly("flight_cluster");
      assertThat(column(metadata.getSchemas(), "TABLE_SCHEM")).containsExactly("datasets");
      assertThat(column(metadata.getTableTypes(), "TABLE_TYPE")).containsExactly("TABLE");
      assertThat(column(metadata.getTables(null, null, "%", null), "TABLE_NAME")).contains("trips");
      assertThat(column(metadata.getTables(null, null, "tri_s", null), "TABLE_NAME"))
          .containsExactly("trips");
      assertThat(column(metadata.getTables(null, null, "nothing%", null), "TABLE_NAME")).isEmpty();
      assertThat(column(metadata.getColumns(null, null, "trips", "%"), "COLUMN_NAME"))
          .containsExactly("id", "city", "value", "ts");
    }
  }

  @Test
  void jdbcPreparedStatementWithWhereReadsTheMatchingRowsFromBothServers() throws Exception {
    cluster.serverTelemetry.reset();
    List<Long> ids = new ArrayList<>();
    try (Connection connection = jdbc(cluster.coordinator);
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT id, city, \"value\" FROM trips WHERE id < 100 AND city <> 'nowhere'");
        ResultSet rows = statement.executeQuery()) {
      assertThat(rows.getMetaData().getColumnCount()).isEqualTo(3);
      while (rows.next()) {
        long id = rows.getLong("id");
        double value = rows.getDouble("value");
        SampleTable table = BY_SEED.get((int) Math.round(value - id * 0.25));
        assertThat(table).as("row %d comes from f1 or f2", id).isNotNull();
        assertThat(rows.getString("city")).isEqualTo(table.city(id));
        ids.add(id);
      }
    }
    assertThat(ids).hasSize(200).allSatisfy(id -> assertThat(id).isLessThan(100));
    assertThat(serversThatStreamed()).containsExactlyInAnyOrder("server-1", "server-2");
  }

  @Test
  void jdbcCountStarIsAnsweredFromTheCatalog() throws Exception {
    cluster.serverTelemetry.reset();
    try (Connection connection = jdbc(cluster.coordinator);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM trips")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getLong(1)).isEqualTo(3_000);
      assertThat(rows.next()).isFalse();
    }
    assertThat(serversThatStreamed()).as("no data server was asked").isEmpty();
  }

  @Test
  void jdbcUnsupportedStatementGetsAnErrorSayingWhatIsSupported() throws Exception {
    try (Connection connection = jdbc(cluster.coordinator);
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("DELETE FROM trips WHERE id = 1"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("SELECT");
      assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM no_such_table"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no_such_table");
    }
  }

  @Test
  void aPreparedStatementCreatedAtOneCoordinatorRunsAtAnother() throws Exception {
    Coordinator a = cluster.coordinators().get(0);
    Coordinator b = cluster.coordinators().get(1);
    ActionCreatePreparedStatementResult prepared;
    try (FlightClient client = flight(a)) {
      List<Result> results = new ArrayList<>();
      client
          .doAction(
              new Action(
                  "CreatePreparedStatement",
                  Any.pack(
                          ActionCreatePreparedStatementRequest.newBuilder()
                              .setQuery("SELECT id FROM trips WHERE id >= 990")
                              .build())
                      .toByteArray()))
          .forEachRemaining(results::add);
      prepared =
          Any.parseFrom(results.get(0).getBody()).unpack(ActionCreatePreparedStatementResult.class);
    }
    Schema datasetSchema =
        MessageSerializer.deserializeSchema(
            new ReadChannel(
                Channels.newChannel(
                    new ByteArrayInputStream(prepared.getDatasetSchema().toByteArray()))));
    assertThat(datasetSchema.getFields()).extracting(Field::getName).containsExactly("id");

    FlightInfo info;
    try (FlightClient client = flight(b)) {
      info =
          client.getInfo(
              FlightDescriptor.command(
                  Any.pack(
                          CommandPreparedStatementQuery.newBuilder()
                              .setPreparedStatementHandle(prepared.getPreparedStatementHandle())
                              .build())
                      .toByteArray()));
    }
    assertThat(info.getSchema().getFields()).extracting(Field::getName).containsExactly("id");
    // f1 has ids 0..999 (10 of them >= 990), f2 ids 0..1999 (1010 of them).
    assertThat(readAll(info)).isEqualTo(1_020);
  }

  @Test
  void theCatalogCallsAnswerFromTheCoordinator() throws Exception {
    try (FlightSqlClient sql = new FlightSqlClient(flight(cluster.coordinator))) {
      FlightInfo sqlInfo = sql.getSqlInfo(SqlInfo.FLIGHT_SQL_SERVER_NAME);
      assertThat(readAll(sqlInfo)).isEqualTo(1);

      FlightInfo tables = sql.getTables(null, null, "trips", null, true);
      List<Schema> schemas = new ArrayList<>();
      List<String> names = new ArrayList<>();
      read(
          tables,
          root -> {
            VarCharVector name = (VarCharVector) root.getVector("table_name");
            VarBinaryVector schema = (VarBinaryVector) root.getVector("table_schema");
            for (int i = 0; i < root.getRowCount(); i++) {
              names.add(name.getObject(i).toString());
              schemas.add(decodeSchema(schema.get(i)));
            }
          });
      assertThat(names).containsExactly("trips");
      List<String> actions = new ArrayList<>();
      try (FlightClient client = flight(cluster.coordinator)) {
        client.listActions().forEach(type -> actions.add(type.getType()));
      }
      assertThat(actions)
          .contains("CreatePreparedStatement", "ClosePreparedStatement", "choose_server");
      assertThat(schemas.get(0).getFields())
          .extracting(Field::getName)
          .containsExactly("id", "city", "value", "ts");
    }
  }

  @Test
  void whatIsNotServedIsUnimplementedSayingWhatIs() throws Exception {
    try (FlightSqlClient sql = new FlightSqlClient(flight(cluster.coordinator))) {
      for (Runnable call :
          List.<Runnable>of(
              () -> sql.getPrimaryKeys(TableRef.of(null, null, "trips")),
              () -> sql.getXdbcTypeInfo(),
              () -> sql.executeUpdate("DELETE FROM trips"),
              () -> sql.beginTransaction())) {
        assertThatThrownBy(call::run)
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> {
                  assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED);
                  assertThat(e.getMessage()).contains("this cluster serves GetSqlInfo");
                });
      }
    }
  }

  @Test
  void bulkIngestCreatesADatasetThatQueriesReadBackAndAppendsToIt() throws Exception {
    SampleTable ingested = new SampleTable(500, 7);
    try (FlightSqlClient sql = new FlightSqlClient(flight(cluster.coordinator));
        BufferAllocator data = new RootAllocator()) {
      assertThat(ingest(sql, data, ingested, TableExistsOption.TABLE_EXISTS_OPTION_FAIL))
          .isEqualTo(500);
      awaitRecords("ingested", 500);

      assertThatThrownBy(
              () -> ingest(sql, data, ingested, TableExistsOption.TABLE_EXISTS_OPTION_FAIL))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.ALREADY_EXISTS));
      assertThatThrownBy(
              () -> ingest(sql, data, ingested, TableExistsOption.TABLE_EXISTS_OPTION_REPLACE))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED));

      assertThat(ingest(sql, data, ingested, TableExistsOption.TABLE_EXISTS_OPTION_APPEND))
          .isEqualTo(500);
      awaitRecords("ingested", 1_000);
    }
    try (Connection connection = jdbc(cluster.coordinator);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id, city FROM ingested WHERE id = 42")) {
      int count = 0;
      while (rows.next()) {
        assertThat(rows.getString("city")).isEqualTo(ingested.city(42));
        count++;
      }
      assertThat(count).as("one row 42 per append").isEqualTo(2);
    }
  }

  private long ingest(
      FlightSqlClient sql, BufferAllocator data, SampleTable table, TableExistsOption ifExists)
      throws Exception {
    try (ArrowReader reader = table.reader(data, 128)) {
      return sql.executeIngest(
          reader,
          new ExecuteIngestOptions(
              "ingested",
              TableDefinitionOptions.newBuilder()
                  .setIfNotExist(TableNotExistOption.TABLE_NOT_EXIST_OPTION_CREATE)
                  .setIfExists(ifExists)
                  .build(),
              null,
              null,
              Map.of()));
    }
  }

  private void awaitRecords(String name, long rows) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(records(cluster.coordinator, name)).isEqualTo(rows));
  }

  private List<String> serversThatStreamed() {
    return cluster.serverTelemetry.spans().stream()
        .filter(span -> span.getKind() == SpanKind.SERVER && span.getName().endsWith("/DoGet"))
        .map(span -> span.getAttributes().get(FlightAttributes.SERVER_ID))
        .distinct()
        .toList();
  }

  private long readAll(FlightInfo info) throws Exception {
    long[] rows = {0};
    read(info, root -> rows[0] += root.getRowCount());
    return rows[0];
  }

  /** Reads every endpoint, at its first location or, without one, at the first coordinator. */
  private void read(FlightInfo info, java.util.function.Consumer<VectorSchemaRoot> batches)
      throws Exception {
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      Location location =
          endpoint.getLocations().isEmpty()
              ? Location.forGrpcInsecure("127.0.0.1", cluster.coordinator.port())
              : endpoint.getLocations().get(0);
      try (FlightClient client = FlightClient.builder(allocator, location).build();
          FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          batches.accept(stream.getRoot());
        }
      }
    }
  }

  private long records(Coordinator coordinator, String name) throws Exception {
    try (FlightClient client = flight(coordinator)) {
      return client.getInfo(Descriptors.of(DatasetName.of(name))).getRecords();
    }
  }

  private FlightClient flight(Coordinator coordinator) {
    return FlightClient.builder(
            allocator, Location.forGrpcInsecure("127.0.0.1", coordinator.port()))
        .build();
  }

  private static Connection jdbc(Coordinator coordinator) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:arrow-flight-sql://127.0.0.1:" + coordinator.port() + "/?useEncryption=false");
  }

  private static List<String> column(ResultSet rows, String name) throws SQLException {
    List<String> values = new ArrayList<>();
    try (rows) {
      while (rows.next()) {
        values.add(rows.getString(name));
      }
    }
    return values;
  }

  private static Schema decodeSchema(byte[] ipc) {
    try {
      return MessageSerializer.deserializeSchema(
          new ReadChannel(Channels.newChannel(new ByteArrayInputStream(ipc))));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void writeTable(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 500)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }
}
