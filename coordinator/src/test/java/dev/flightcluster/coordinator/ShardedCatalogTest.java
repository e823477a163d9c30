package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ListingMetadata;
import dev.flightcluster.protocol.Tickets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Folder datasets spread over servers: shards, endpoints, locations and conflicts (D58, D59). */
class ShardedCatalogTest {
  private static final DatasetName TRIPS = DatasetName.of("trips");
  private static final long MIB = 1 << 20;

  @Test
  void sixFilesOverThreeServersWithOneFileOnTwoAreFourEndpoints() {
    // a: f1 f2 (small, grouped), b: f3 f4 (large, one each), c: f5 and f6, which b holds too.
    RegisteredServer a =
        server("a", 0, file("f1.parquet", "1", 10 * MIB), file("f2.parquet", "2", 10 * MIB));
    RegisteredServer b =
        server(
            "b",
            0,
            file("f3.parquet", "3", 200 * MIB),
            file("f4.parquet", "4", 200 * MIB),
            file("f6.parquet", "6", 10 * MIB));
    RegisteredServer c =
        server("c", 0, file("f5.parquet", "5", 10 * MIB), file("f6.parquet", "6", 10 * MIB));

    FlightInfo info = DatasetCatalog.of(List.of(c, a, b)).find(TRIPS).orElseThrow();

    assertThat(info.getEndpoints())
        .extracting(ShardedCatalogTest::files)
        .containsExactly(
            List.of("f1.parquet", "f2.parquet"),
            List.of("f3.parquet"),
            List.of("f4.parquet"),
            List.of("f5.parquet"),
            List.of("f6.parquet"));
    assertThat(info.getEndpoints())
        .extracting(ShardedCatalogTest::hosts)
        .containsExactly(List.of("a"), List.of("b"), List.of("b"), List.of("c"), List.of("b", "c"));
    assertThat(info.getRecords()).isEqualTo(6 * 100);
    assertThat(info.getBytes()).isEqualTo(6 * 1000);
    assertThat(info.getOrdered()).isFalse();
    assertThat(DatasetCatalog.of(List.of(a, b, c)).find(TRIPS).orElseThrow())
        .as("the same FlightInfo whatever the order the servers registered in")
        .isEqualTo(info);
  }

  @Test
  void theLeastLoadedHolderOfAnEndpointComesFirst() {
    RegisteredServer b = server("b", 5, file("f6.parquet", "6", MIB));
    RegisteredServer c = server("c", 1, file("f6.parquet", "6", MIB), file("f7.parquet", "7", MIB));

    FlightInfo info =
        DatasetCatalog.of(List.of(b, c)).withLoadsOf(List.of(b, c)).find(TRIPS).orElseThrow();

    assertThat(info.getEndpoints())
        .extracting(ShardedCatalogTest::hosts)
        .containsExactly(List.of("c", "b"), List.of("c"));
  }

  @Test
  void aFolderEveryHolderHoldsWholeIsOneEndpointWithTheNameOnlyTicket() {
    RegisteredServer a = server("a", 0, file("f1.parquet", "1", MIB), file("f2.parquet", "2", MIB));
    RegisteredServer b = server("b", 0, file("f1.parquet", "1", MIB), file("f2.parquet", "2", MIB));

    FlightInfo info = DatasetCatalog.of(List.of(a, b)).find(TRIPS).orElseThrow();

    assertThat(info.getEndpoints()).hasSize(1);
    assertThat(info.getEndpoints().get(0).getTicket()).isEqualTo(Tickets.of(TRIPS));
    assertThat(hosts(info.getEndpoints().get(0))).containsExactly("a", "b");
  }

  @Test
  void theSamePathWithOtherContentIsAConflictThatIsNotServed() {
    RegisteredServer a = server("a", 0, file("f1.parquet", "1", MIB), file("f2.parquet", "2", MIB));
    RegisteredServer b = server("b", 0, file("f2.parquet", "2-other", MIB));

    DatasetCatalog catalog = DatasetCatalog.of(List.of(a, b));

    assertThat(catalog.find(TRIPS)).isEmpty();
    assertThat(catalog.holders(TRIPS)).containsExactly("a", "b");
    assertThat(catalog.conflicts())
        .singleElement()
        .satisfies(
            conflict -> {
              assertThat(conflict.dataset()).isEqualTo("trips");
              assertThat(conflict.servingFingerprint()).isEmpty();
              assertThat(conflict.reason()).contains("f2.parquet");
              assertThat(conflict.variants())
                  .extracting(v -> v.fingerprint())
                  .containsExactly("2", "2-other");
              assertThat(conflict.variants())
                  .extracting(v -> v.serverIds())
                  .containsExactly(List.of("a"), List.of("b"));
            });
  }

  @Test
  void holdersThatDisagreeOnTheSchemaAreAConflict() {
    RegisteredServer a = server("a", 0, file("f1.parquet", "1", MIB));
    Schema other = new Schema(List.of(Field.nullable("other", new ArrowType.Utf8())));
    RegisteredServer b =
        new RegisteredServer(
            "b",
            location("b"),
            1,
            1,
            Map.of(TRIPS, dataset(other, List.of(file("f2.parquet", "2", MIB)))),
            0,
            Instant.MAX);

    DatasetCatalog catalog = DatasetCatalog.of(List.of(a, b));

    assertThat(catalog.find(TRIPS)).isEmpty();
    assertThat(catalog.conflicts())
        .singleElement()
        .satisfies(conflict -> assertThat(conflict.reason()).contains("schemas"));
  }

  @Test
  void smallFilesAreGroupedUpToTheGroupSize() {
    RegisteredServer a =
        server(
            "a",
            0,
            file("f1.parquet", "1", 3),
            file("f2.parquet", "2", 3),
            file("f3.parquet", "3", 3),
            file("f4.parquet", "4", 3),
            file("f5.parquet", "5", 3));

    FlightInfo info = DatasetCatalog.of(List.of(a), Map.of(), 6).find(TRIPS).orElseThrow();

    assertThat(info.getEndpoints())
        .extracting(ShardedCatalogTest::files)
        .containsExactly(
            List.of("f1.parquet", "f2.parquet"),
            List.of("f3.parquet", "f4.parquet"),
            List.of("f5.parquet"));
  }

  @Test
  void aDatasetListedWithoutFilesIsMergedWholeAsBefore() {
    RegisteredServer a =
        new RegisteredServer(
            "a",
            location("a"),
            1,
            1,
            Map.of(
                TRIPS,
                new ServerDataset(
                    TRIPS, new DatasetFingerprint("x"), TestDatasets.SCHEMA, 10, 100)),
            0,
            Instant.MAX);

    FlightInfo info = DatasetCatalog.of(List.of(a)).find(TRIPS).orElseThrow();

    assertThat(info.getEndpoints())
        .singleElement()
        .satisfies(endpoint -> assertThat(endpoint.getTicket()).isEqualTo(Tickets.of(TRIPS)));
  }

  private static List<String> files(FlightEndpoint endpoint) {
    DatasetTicket ticket = Tickets.decode(endpoint.getTicket());
    return ticket.files();
  }

  private static List<String> hosts(FlightEndpoint endpoint) {
    return endpoint.getLocations().stream()
        .map(location -> location.getUri().getHost().replace(".example", ""))
        .toList();
  }

  private static ListingMetadata.File file(String path, String fingerprint, long bytes) {
    return new ListingMetadata.File(path, fingerprint, 100, bytes, 1000);
  }

  private static ServerDataset dataset(Schema schema, List<ListingMetadata.File> files) {
    long rows = files.stream().mapToLong(ListingMetadata.File::rows).sum();
    String fingerprint =
        String.join(",", files.stream().map(ListingMetadata.File::fingerprint).toList());
    return new ServerDataset(
        TRIPS, new DatasetFingerprint(fingerprint), schema, rows, 0, true, files);
  }

  private static RegisteredServer server(
      String id, int activeStreams, ListingMetadata.File... files) {
    return new RegisteredServer(
        id,
        location(id),
        1,
        1,
        Map.of(TRIPS, dataset(TestDatasets.SCHEMA, List.of(files))),
        activeStreams,
        Instant.MAX);
  }

  private static Location location(String id) {
    return Location.forGrpcInsecure(id + ".example", 8889);
  }
}
