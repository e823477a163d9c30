package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.ConflictReport;
import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.Messages;
import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ConflictTest {
  private final Logger warningsLogger = (Logger) LoggerFactory.getLogger(ConflictWarnings.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private CoordinatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    logged.start();
    warningsLogger.addAppender(logged);
    harness = new CoordinatorHarness();
  }

  @AfterEach
  void tearDown() throws Exception {
    warningsLogger.detachAppender(logged);
    harness.close();
  }

  @Test
  void onlyTheHoldersOfTheServedVariantAreLocations() throws Exception {
    FakeDataServer a = harness.startServer("a").holds("trips=ff");
    FakeDataServer b = harness.startServer("b").holds("trips=ff");
    FakeDataServer c = harness.startServer("c").holds("trips=00");
    harness.hello(a);
    harness.hello(b);
    harness.hello(c);

    FlightInfo info = harness.client().getInfo(FlightDescriptor.path("trips"));

    assertThat(DatasetFingerprint.fromAppMetadata(info.getAppMetadata()).value()).isEqualTo("ff");
    assertThat(info.getEndpoints().get(0).getLocations())
        .containsExactly(a.location(), b.location());
    assertThat(harness.listNames("")).containsExactly("trips");
  }

  @Test
  void theServedVariantKeepsServingWhenACopyWithASmallerFingerprintAppears() throws Exception {
    FakeDataServer a = harness.startServer("a").holds("trips=bb");
    harness.hello(a);
    assertThat(servedFingerprint("trips")).isEqualTo("bb");

    harness.hello(harness.startServer("b").holds("trips=aa"));

    FlightInfo info = harness.client().getInfo(FlightDescriptor.path("trips"));
    assertThat(DatasetFingerprint.fromAppMetadata(info.getAppMetadata()).value()).isEqualTo("bb");
    assertThat(info.getEndpoints().get(0).getLocations()).containsExactly(a.location());
    assertThat(listConflicts().conflicts())
        .containsExactly(
            new DatasetConflict(
                "trips",
                "bb",
                List.of(
                    new DatasetConflict.Variant("bb", List.of("a")),
                    new DatasetConflict.Variant("aa", List.of("b")))));
  }

  @Test
  void theServedVariantKeepsServingWhenTheNewcomerHasMoreHolders() throws Exception {
    FakeDataServer a = harness.startServer("a").holds("trips=ff");
    harness.hello(a);
    assertThat(servedFingerprint("trips")).isEqualTo("ff");

    harness.hello(harness.startServer("b").holds("trips=00"));
    harness.hello(harness.startServer("c").holds("trips=00"));

    assertThat(servedFingerprint("trips")).isEqualTo("ff");
    assertThat(listConflicts().conflicts())
        .singleElement()
        .satisfies(conflict -> assertThat(conflict.servingFingerprint()).isEqualTo("ff"));
  }

  @Test
  void theNewcomerServesOnlyOnceNoLiveServerHoldsTheServedVariantAndThenStays() throws Exception {
    FakeDataServer a = harness.startServer("a").holds("trips=ff");
    harness.hello(a);
    harness.hello(harness.startServer("b").holds("trips=00"));

    harness.goodbye("a");
    assertThat(servedFingerprint("trips")).isEqualTo("00");

    harness.hello(a);
    assertThat(servedFingerprint("trips")).isEqualTo("00");
  }

  @Test
  void aCoordinatorStartingAfterTheConflictPicksTheMajorityThenTheSmallestFingerprint()
      throws Exception {
    harness.close();
    harness = new CoordinatorHarness(false);
    FakeDataServer a = harness.startServer("a").holds("trips=bb");
    FakeDataServer b = harness.startServer("b").holds("trips=aa");
    // Both heartbeat the restarted coordinator before either is listed again.
    assertThat(harness.heartbeat("a", 1, 0).known()).isFalse();
    assertThat(harness.heartbeat("b", 1, 0).known()).isFalse();

    harness.hello(a);
    harness.hello(b);

    assertThat(harness.coordinator.isWarm()).isTrue();
    assertThat(servedFingerprint("trips")).as("a tie: the smallest fingerprint").isEqualTo("aa");
    harness.hello(harness.startServer("c").holds("trips=bb"));
    assertThat(servedFingerprint("trips")).as("and it keeps serving").isEqualTo("aa");
  }

  @Test
  void listConflictsReportsEveryVariantServingOneFirst() throws Exception {
    harness.hello(harness.startServer("a").holds("trips=ff", "same=01"));
    harness.hello(harness.startServer("b").holds("trips=ff", "same=01"));
    harness.hello(harness.startServer("c").holds("trips=00"));

    ConflictReport report = listConflicts();

    assertThat(report.conflicts())
        .containsExactly(
            new DatasetConflict(
                "trips",
                "ff",
                List.of(
                    new DatasetConflict.Variant("ff", List.of("a", "b")),
                    new DatasetConflict.Variant("00", List.of("c")))));
  }

  @Test
  void noConflictsIsAnEmptyReport() throws Exception {
    harness.hello(harness.startServer("a").holds("trips=ff"));

    assertThat(listConflicts().conflicts()).isEmpty();
  }

  @Test
  void aConflictIsWarnedAboutOnceAndItsResolutionOnce() throws Exception {
    harness.hello(harness.startServer("a").holds("trips=ff"));
    harness.hello(harness.startServer("b").holds("trips=00"));
    harness.heartbeat("a", 1, 0);
    harness.heartbeat("b", 1, 0);
    harness.hello(harness.startServer("c").holds("other=01"));
    listConflicts();

    assertThat(messages(Level.WARN))
        .singleElement()
        .asString()
        .contains("'trips'")
        .contains("list_conflicts");

    harness.goodbye("b");

    assertThat(messages(Level.WARN)).hasSize(1);
    assertThat(messages(Level.INFO)).singleElement().asString().contains("'trips'");
    assertThat(listConflicts().conflicts()).isEmpty();
  }

  private String servedFingerprint(String dataset) {
    FlightInfo info = harness.client().getInfo(FlightDescriptor.path(dataset));
    return DatasetFingerprint.fromAppMetadata(info.getAppMetadata()).value();
  }

  private ConflictReport listConflicts() {
    List<Result> results = harness.rawAction(ClusterActions.LIST_CONFLICTS, new byte[0]);
    assertThat(results).hasSize(1);
    return Messages.decode(results.get(0).getBody(), ConflictReport.class);
  }

  private List<String> messages(Level level) {
    return logged.list.stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
