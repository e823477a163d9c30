package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.Test;

/** The merge rules on their own, without a network. */
class DatasetCatalogTest {
  @Test
  void replicasShareOneEndpointOrderedByLoadThenId() {
    DatasetCatalog catalog =
        DatasetCatalog.of(
            List.of(server("c", 0, "t=aa"), server("a", 2, "t=aa"), server("b", 0, "t=aa")));

    FlightInfo info = catalog.find(DatasetName.of("t")).orElseThrow();

    assertThat(info.getEndpoints())
        .singleElement()
        .satisfies(
            endpoint ->
                assertThat(endpoint.getLocations())
                    .containsExactly(location("b"), location("c"), location("a")));
    assertThat(catalog.conflicts()).isEmpty();
  }

  @Test
  void theMajorityVariantWinsWhateverTheOrderOfServers() {
    List<RegisteredServer> servers =
        List.of(server("a", 0, "t=00"), server("b", 0, "t=ff"), server("c", 0, "t=ff"));

    for (List<RegisteredServer> order : List.of(servers, servers.reversed())) {
      DatasetCatalog catalog = DatasetCatalog.of(order);
      assertThat(fingerprint(catalog, "t")).isEqualTo("ff");
      assertThat(catalog.conflicts())
          .singleElement()
          .satisfies(
              conflict -> {
                assertThat(conflict.servingFingerprint()).isEqualTo("ff");
                assertThat(conflict.variants().get(0).serverIds()).containsExactly("b", "c");
              });
      assertThat(catalog.holders(DatasetName.of("t"))).containsExactly("a", "b", "c");
    }
  }

  @Test
  void aTieGoesToTheSmallestFingerprint() {
    assertThat(
            fingerprint(
                DatasetCatalog.of(List.of(server("a", 0, "t=cc"), server("b", 0, "t=0b"))), "t"))
        .isEqualTo("0b");
    assertThat(
            fingerprint(
                DatasetCatalog.of(List.of(server("a", 0, "t=0b"), server("b", 0, "t=cc"))), "t"))
        .isEqualTo("0b");
  }

  @Test
  void listMatchesPrefixesInNameOrder() {
    DatasetCatalog catalog =
        DatasetCatalog.of(List.of(server("a", 0, "b/x=01", "a=02", "b/y=03", "bz=04", "c=05")));

    assertThat(catalog.list("b/"))
        .extracting(info -> info.getDescriptor().getPath().get(0))
        .containsExactly("b/x", "b/y");
    assertThat(catalog.list("")).hasSize(5);
    assertThat(catalog.list("d")).isEmpty();
  }

  private static String fingerprint(DatasetCatalog catalog, String name) {
    return DatasetFingerprint.fromAppMetadata(
            catalog.find(DatasetName.of(name)).orElseThrow().getAppMetadata())
        .value();
  }

  private static RegisteredServer server(
      String id, int activeStreams, String... namesAndFingerprints) {
    var datasets =
        Arrays.stream(namesAndFingerprints)
            .map(entry -> entry.split("=", 2))
            .map(
                parts ->
                    new ServerDataset(
                        DatasetName.of(parts[0]),
                        new DatasetFingerprint(parts[1]),
                        TestDatasets.SCHEMA,
                        10,
                        1000))
            .collect(Collectors.toMap(ServerDataset::name, Function.identity()));
    return new RegisteredServer(id, location(id), 1, 1, datasets, activeStreams, Instant.MAX);
  }

  private static Location location(String id) {
    return Location.forGrpcInsecure(id + ".example", 8889);
  }
}
