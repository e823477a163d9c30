package dev.flightcluster.coordinator.sql;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.sql.FlightSqlProducer.Schemas;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The small results the coordinator serves itself: the metadata of the Flight SQL catalog calls and
 * the one row of a {@code COUNT(*)}. Each is a single batch, sent and released at once.
 */
final class MetadataResults {
  /** The one catalog: the cluster (D83). */
  static final String CATALOG = "flight_cluster";

  /** The one database schema, holding every dataset (D83). */
  static final String DB_SCHEMA = "datasets";

  /** The one table type. */
  static final String TABLE_TYPE = "TABLE";

  /** The result of {@code SELECT COUNT(*)}. */
  static final Schema COUNT_SCHEMA =
      new Schema(List.of(Field.notNullable("COUNT(*)", new ArrowType.Int(64, true))));

  /** One row of GetTables. */
  record Table(String name, Schema schema) {
    Table {
      requireNonNull(name, "name is null");
    }
  }

  private final BufferAllocator allocator;

  /** Results in buffers of {@code allocator}, which the caller keeps owning. */
  MetadataResults(BufferAllocator allocator) {
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  void catalogs(ServerStreamListener listener) {
    send(Schemas.GET_CATALOGS_SCHEMA, listener, root -> strings(root, 0, List.of(CATALOG)));
  }

  void dbSchemas(ServerStreamListener listener, boolean any) {
    send(
        Schemas.GET_SCHEMAS_SCHEMA,
        listener,
        root -> {
          List<String> rows = any ? List.of(DB_SCHEMA) : List.of();
          strings(root, 0, rows.stream().map(row -> CATALOG).toList());
          strings(root, 1, rows);
        });
  }

  void tableTypes(ServerStreamListener listener) {
    send(Schemas.GET_TABLE_TYPES_SCHEMA, listener, root -> strings(root, 0, List.of(TABLE_TYPE)));
  }

  void tables(ServerStreamListener listener, List<Table> tables, boolean includeSchema) {
    send(
        includeSchema ? Schemas.GET_TABLES_SCHEMA : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
        listener,
        root -> {
          strings(root, 0, tables.stream().map(table -> CATALOG).toList());
          strings(root, 1, tables.stream().map(table -> DB_SCHEMA).toList());
          strings(root, 2, tables.stream().map(Table::name).toList());
          strings(root, 3, tables.stream().map(table -> TABLE_TYPE).toList());
          if (includeSchema) {
            VarBinaryVector schemas = (VarBinaryVector) root.getVector(4);
            for (int i = 0; i < tables.size(); i++) {
              schemas.setSafe(i, ipcSchema(tables.get(i).schema()));
            }
            schemas.setValueCount(tables.size());
          }
          root.setRowCount(tables.size());
        });
  }

  void count(ServerStreamListener listener, long rows) {
    send(
        COUNT_SCHEMA,
        listener,
        root -> {
          BigIntVector count = (BigIntVector) root.getVector(0);
          count.setSafe(0, rows);
          count.setValueCount(1);
          root.setRowCount(1);
        });
  }

  /**
   * A schema as Flight SQL carries it in GetTables and in a prepared statement's dataset_schema: an
   * encapsulated IPC schema message.
   */
  static byte[] ipcSchema(Schema schema) {
    requireNonNull(schema, "schema is null");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void strings(VectorSchemaRoot root, int column, List<String> values) {
    VarCharVector vector = (VarCharVector) root.getVector(column);
    for (int i = 0; i < values.size(); i++) {
      vector.setSafe(i, values.get(i).getBytes(StandardCharsets.UTF_8));
    }
    vector.setValueCount(values.size());
    root.setRowCount(values.size());
  }

  private void send(Schema schema, ServerStreamListener listener, Consumer<VectorSchemaRoot> fill) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      fill.accept(root);
      listener.start(root);
      listener.putNext();
      listener.completed();
    }
  }
}
