package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ListingMetadata;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.protocol.Tickets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Queries planned from a catalog: projection, checks, pushdown tickets and pruning (D81). */
class QueryPlannerTest {
  private static final DatasetName TRIPS = DatasetName.of("trips");
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("city", ArrowType.Utf8.INSTANCE),
              Field.nullable("year", new ArrowType.Int(64, true))));

  // Server a holds the 2023 files, b the 2024 ones: a filter on year needs only one of them.
  private final RegisteredServer a =
      server("a", file("year=2023/part-0.parquet", "1"), file("year=2023/part-1.parquet", "2"));
  private final RegisteredServer b =
      server("b", file("year=2024/part-0.parquet", "3"), file("year=2024/part-1.parquet", "4"));
  private final QueryPlanner planner = planner(DatasetCatalog.of(List.of(a, b)));

  @Test
  void aProjectionHasTheColumnsInTheOrderAskedAndTicketsCarryIt() {
    QueryCommand query = new QueryCommand(TRIPS, List.of("year", "id"), null, null);

    FlightInfo info = planner.flightInfo(query.toDescriptor(), query);

    assertThat(info.getSchema().getFields())
        .extracting(Field::getName)
        .containsExactly("year", "id");
    assertThat(planner.schema(query)).isEqualTo(info.getSchema());
    assertThat(info.getDescriptor()).isEqualTo(query.toDescriptor());
    assertThat(info.getEndpoints()).hasSize(2);
    assertThat(info.getEndpoints())
        .extracting(endpoint -> Tickets.decode(endpoint.getTicket()).pushdown())
        .containsOnly(query.pushdown());
    assertThat(info.getRecords()).as("every row: the sum is known").isEqualTo(400);
    assertThat(info.getBytes()).as("a projection's bytes are not known").isEqualTo(-1);
  }

  @Test
  void aLimitCapsTheRecords() {
    QueryCommand query = new QueryCommand(TRIPS, List.of(), null, 150L);

    FlightInfo info = planner.flightInfo(query.toDescriptor(), query);

    assertThat(info.getRecords()).isEqualTo(150);
    assertThat(info.getEndpoints())
        .extracting(endpoint -> Tickets.decode(endpoint.getTicket()).pushdown().limit())
        .containsOnly(150L);
  }

  @Test
  void unknownColumnsAreInvalidArgumentNamingThem() {
    QueryCommand query = new QueryCommand(TRIPS, List.of("id", "fare", "tip"), null, null);

    FlightRuntimeException failure =
        catchThrowableOfType(
            FlightRuntimeException.class, () -> planner.flightInfo(query.toDescriptor(), query));

    assertThat(failure.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
    assertThat(failure.status().description())
        .contains("'fare', 'tip'")
        .contains("id, city, year")
        .doesNotContain("'id'");
    assertThat(
            catchThrowableOfType(FlightRuntimeException.class, () -> planner.schema(query))
                .status()
                .code())
        .isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void aDatasetNotServedIsNotFound() {
    QueryCommand query = new QueryCommand(DatasetName.of("nope"), List.of(), null, 1L);

    FlightRuntimeException failure =
        catchThrowableOfType(
            FlightRuntimeException.class, () -> planner.flightInfo(query.toDescriptor(), query));

    assertThat(failure.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
    assertThat(failure.status().description()).contains("nope").contains("ListFlights");
  }

  @Test
  void whileWarmingUpAQueryIsUnavailable() {
    Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
    QueryPlanner cold =
        new QueryPlanner(
            () -> DatasetCatalog.of(List.of(a, b)),
            new WarmUp(clock, Duration.ofSeconds(10), () -> {}));
    QueryCommand query = new QueryCommand(TRIPS, List.of("id"), null, null);

    assertThat(
            catchThrowableOfType(
                    FlightRuntimeException.class,
                    () -> cold.flightInfo(query.toDescriptor(), query))
                .status()
                .code())
        .isEqualTo(FlightStatusCode.UNAVAILABLE);
  }

  @Test
  void aFilterOnThePartitionColumnDropsTheShardsThatCannotMatch() {
    QueryCommand query = new QueryCommand(TRIPS, List.of("id"), "\"year\" = 2024 AND id > 3", null);

    FlightInfo info = planner.flightInfo(query.toDescriptor(), query);

    assertThat(info.getEndpoints())
        .singleElement()
        .satisfies(
            endpoint -> {
              assertThat(hosts(endpoint)).containsExactly("b");
              DatasetTicket ticket = Tickets.decode(endpoint.getTicket());
              assertThat(ticket.files())
                  .as("a whole endpoint stays as it was")
                  .containsExactly("year=2024/part-0.parquet", "year=2024/part-1.parquet");
              assertThat(ticket.pushdown()).isEqualTo(query.pushdown());
            });
    assertThat(info.getRecords()).as("unknown with a filter").isEqualTo(-1);
    assertThat(info.getBytes()).isEqualTo(-1);
  }

  @Test
  void aFilterNoPartitionCanMatchHasNoEndpoints() {
    QueryCommand query = new QueryCommand(TRIPS, List.of(), "\"year\" IN (2020, 2021)", null);

    FlightInfo info = planner.flightInfo(query.toDescriptor(), query);

    assertThat(info.getEndpoints()).isEmpty();
    assertThat(info.getSchema()).isEqualTo(SCHEMA);
  }

  @Test
  void aFolderHeldWholeByOneServerNamesOnlyTheFilesThatCanMatch() {
    RegisteredServer both =
        server("c", file("year=2023/part-0.parquet", "1"), file("year=2024/part-0.parquet", "3"));
    QueryPlanner one = planner(DatasetCatalog.of(List.of(both)));
    QueryCommand query = new QueryCommand(TRIPS, List.of(), "year >= 2024", null);

    FlightInfo info = one.flightInfo(query.toDescriptor(), query);

    assertThat(info.getEndpoints())
        .singleElement()
        .satisfies(
            endpoint ->
                assertThat(Tickets.decode(endpoint.getTicket()).files())
                    .containsExactly("year=2024/part-0.parquet"));
  }

  @Test
  void aBadFilterIsInvalidArgumentBeforeAnythingIsPlanned() {
    QueryCommand query = new QueryCommand(TRIPS, List.of(), "\"year\" = = 2024", null);

    FlightRuntimeException failure =
        catchThrowableOfType(
            FlightRuntimeException.class, () -> planner.flightInfo(query.toDescriptor(), query));

    assertThat(failure.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
    assertThat(failure.status().description()).contains("column");
    assertThat(
            catchThrowableOfType(FlightRuntimeException.class, () -> planner.schema(query))
                .status()
                .code())
        .isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void everyCoordinatorPlansTheSameFlightInfo() {
    QueryCommand query =
        QueryCommand.of(TRIPS, new Pushdown(List.of("city"), "\"year\" > 2000", 10L));
    QueryPlanner other = planner(DatasetCatalog.of(List.of(b, a)));

    assertThat(other.flightInfo(query.toDescriptor(), query))
        .isEqualTo(planner.flightInfo(query.toDescriptor(), query));
  }

  private static QueryPlanner planner(DatasetCatalog catalog) {
    // A zero lease: warm from the start.
    WarmUp warm = new WarmUp(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Duration.ZERO, () -> {});
    return new QueryPlanner(() -> catalog, warm);
  }

  private static List<String> hosts(FlightEndpoint endpoint) {
    return endpoint.getLocations().stream()
        .map(location -> location.getUri().getHost().replace(".example", ""))
        .toList();
  }

  private static ListingMetadata.File file(String path, String fingerprint) {
    return new ListingMetadata.File(path, fingerprint, 100, 1 << 20, 1000);
  }

  private static RegisteredServer server(String id, ListingMetadata.File... files) {
    long rows = 100L * files.length;
    String fingerprint =
        String.join(",", List.of(files).stream().map(ListingMetadata.File::fingerprint).toList());
    ServerDataset dataset =
        new ServerDataset(
            TRIPS, new DatasetFingerprint(fingerprint), SCHEMA, rows, 0, true, List.of(files));
    return new RegisteredServer(
        id,
        Location.forGrpcInsecure(id + ".example", 8889),
        1,
        1,
        Map.of(TRIPS, dataset),
        0,
        Instant.MAX);
  }
}
