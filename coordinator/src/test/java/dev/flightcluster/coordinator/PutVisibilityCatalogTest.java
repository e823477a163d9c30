package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.ListingMetadata;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.protocol.Tickets;
import java.util.List;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.Test;

/** The catalog serves a parallel put's parts only when all of them are present over its servers. */
class PutVisibilityCatalogTest {
  private static final String PUT = "0123456789abcdef";

  /** A folder dataset {@code trips} as a server lists it: one 10-row file per path. */
  private static FlightInfo trips(Location location, String... paths) {
    DatasetName name = DatasetName.of("trips");
    List<ListingMetadata.File> files =
        java.util.Arrays.stream(paths)
            .map(path -> new ListingMetadata.File(path, "fp-" + path, 10, 100, 1000))
            .toList();
    return FlightInfo.builder(
            TestDatasets.SCHEMA,
            Descriptors.of(name),
            List.of(new FlightEndpoint(Tickets.of(name), location)))
        .setRecords(10L * paths.length)
        .setBytes(1000L * paths.length)
        .setAppMetadata(
            new ListingMetadata("fp-" + String.join(",", paths), true, files).toAppMetadata())
        .build();
  }

  @Test
  void anIncompletePutIsNotListedAndACompleteOneIsListedWithEveryPart() throws Exception {
    String part0 = PutParts.committedName(PUT, 0, 2);
    String part1 = PutParts.committedName(PUT, 1, 2);
    try (CoordinatorHarness harness = new CoordinatorHarness()) {
      FakeDataServer s1 = harness.startServer("s1");
      FakeDataServer s2 = harness.startServer("s2");
      s1.lists(trips(s1.location(), "old.parquet", part0));
      harness.hello(s1);
      harness.hello(s2);
      // The dataset's other file is served; the half-committed put is not.
      assertThat(harness.list(""))
          .singleElement()
          .satisfies(info -> assertThat(info.getRecords()).isEqualTo(10));

      s2.lists(trips(s2.location(), part1));
      harness.hello(s2, 2);

      assertThat(harness.list(""))
          .singleElement()
          .satisfies(info -> assertThat(info.getRecords()).isEqualTo(30));
    }
  }

  @Test
  void aDatasetOfOnlyAnIncompletePutIsNotListed() throws Exception {
    try (CoordinatorHarness harness = new CoordinatorHarness()) {
      FakeDataServer s1 = harness.startServer("s1");
      s1.lists(trips(s1.location(), PutParts.committedName(PUT, 1, 3)));
      harness.hello(s1);

      assertThat(harness.list("")).isEmpty();
    }
  }
}
