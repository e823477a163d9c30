package dev.flightcluster.server.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flightcluster.protocol.AbortPut;
import dev.flightcluster.protocol.CommitPut;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.testing.FakeClock;
import dev.flightcluster.testing.GeneratedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedPutsTest {
  private static final String PUT = "0123456789abcdef";
  private static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  @TempDir Path dataDir;
  private final FakeClock clock = new FakeClock();
  private BufferAllocator allocator;
  private StagedPuts puts;

  @BeforeEach
  void setUp() throws IOException {
    allocator = new RootAllocator();
    Path real = dataDir.toRealPath();
    puts = new StagedPuts(allocator, real, real.resolve(".flight-staging/puts"), clock, TIMEOUT);
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private void stage(int index) throws IOException {
    try (ArrowReader reader = rows(100)) {
      puts.stage(DatasetName.of("trips/" + PutParts.stagedName(PUT, index)), reader, () -> false);
    }
  }

  private ArrowReader rows(int count) {
    return new GeneratedReader(
        allocator,
        SCHEMA,
        count,
        50,
        (root, first, n) -> {
          BigIntVector id = (BigIntVector) root.getVector("id");
          id.allocateNew(n);
          for (int i = 0; i < n; i++) {
            id.set(i, first + i);
          }
          root.setRowCount(n);
        });
  }

  private List<String> visibleFiles() throws IOException {
    Path trips = dataDir.resolve("trips");
    if (!Files.exists(trips)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(trips)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  private static FlightStatusCode status(Throwable failure) {
    return ((FlightRuntimeException) failure).status().code();
  }

  @Test
  void stagedShardsAreInvisibleUntilTheCommitPublishesThemWithTheirCount() throws IOException {
    stage(0);
    stage(2);
    assertThat(visibleFiles()).isEmpty();

    assertThat(puts.commit(new CommitPut("trips", PUT, 3, false), Optional.empty())).isEqualTo(2);

    assertThat(visibleFiles())
        .containsExactly(PutParts.committedName(PUT, 0, 3), PutParts.committedName(PUT, 2, 3));
    assertThat(puts.staged()).isEmpty();
  }

  @Test
  void aPrepareChecksThePartsAndPublishesNothing() throws IOException {
    stage(0);

    assertThat(
            puts.commit(new CommitPut("trips", PUT, 2, false, List.of(0), true), Optional.empty()))
        .isEqualTo(1);
    assertThat(visibleFiles()).isEmpty();
    FlightRuntimeException missing =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () ->
                puts.commit(
                    new CommitPut("trips", PUT, 2, false, List.of(0, 1), true), Optional.empty()));
    assertThat(missing.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
    assertThat(missing.status().description()).contains("[1]");

    puts.commit(new CommitPut("trips", PUT, 2, false, List.of(0), false), Optional.empty());
    assertThat(visibleFiles()).containsExactly(PutParts.committedName(PUT, 0, 2));
  }

  @Test
  void theSameShardTwiceIsAlreadyExists() throws IOException {
    stage(1);
    assertThat(status(catchThrowableOfType(FlightRuntimeException.class, () -> stage(1))))
        .isEqualTo(FlightStatusCode.ALREADY_EXISTS);
  }

  @Test
  void committingWhatWasNeverStagedIsNotFoundAndAnExistingDatasetAlreadyExists()
      throws IOException {
    FlightRuntimeException missing =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () -> puts.commit(new CommitPut("trips", PUT, 1, false), Optional.empty()));
    assertThat(missing.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);

    Files.createDirectories(dataDir.resolve("trips"));
    stage(0);
    FlightRuntimeException exists =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () -> puts.commit(new CommitPut("trips", PUT, 1, false), Optional.empty()));
    assertThat(exists.status().code()).isEqualTo(FlightStatusCode.ALREADY_EXISTS);
  }

  @Test
  void anAppendWithAnotherSchemaIsInvalidArgumentAndTheSameSchemaJoinsTheFolder()
      throws IOException {
    Files.createDirectories(dataDir.resolve("trips"));
    Files.writeString(dataDir.resolve("trips/old.parquet"), "not read here");
    stage(0);
    Schema other = new Schema(List.of(Field.nullable("id", ArrowType.Utf8.INSTANCE)));

    FlightRuntimeException differs =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () -> puts.commit(new CommitPut("trips", PUT, 1, true), Optional.of(other)));
    assertThat(differs.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
    assertThat(differs.status().description()).contains("id").contains("Utf8");

    puts.commit(new CommitPut("trips", PUT, 1, true), Optional.of(SCHEMA));
    assertThat(visibleFiles()).containsExactly("old.parquet", PutParts.committedName(PUT, 0, 1));
  }

  @Test
  void abortDeletesStagedAndCommittedPartsAndTheFolderItCreated() throws IOException {
    stage(0);
    puts.commit(new CommitPut("trips", PUT, 2, false), Optional.empty());
    assertThat(visibleFiles()).hasSize(1);

    assertThat(puts.abort(new AbortPut("trips", PUT))).isEqualTo(1);

    assertThat(dataDir.resolve("trips")).doesNotExist();
    // Aborting again, or a put never seen, is no error.
    assertThat(puts.abort(new AbortPut("trips", PUT))).isZero();
  }

  @Test
  void anUncommittedPutExpiresAfterTheTimeout() throws IOException {
    stage(0);
    clock.advance(TIMEOUT.minusSeconds(1));
    assertThat(puts.expire()).isEmpty();

    clock.advance(Duration.ofSeconds(2));
    assertThat(puts.expire()).containsExactly(PUT);

    assertThat(puts.staged()).isEmpty();
    assertThat(dataDir.resolve(".flight-staging/puts/" + PUT)).doesNotExist();
    FlightRuntimeException gone =
        catchThrowableOfType(
            FlightRuntimeException.class,
            () -> puts.commit(new CommitPut("trips", PUT, 1, false), Optional.empty()));
    assertThat(gone.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
  }

  @Test
  void aCancelledShardIsNotStaged() throws IOException {
    try (ArrowReader reader = rows(10)) {
      FlightRuntimeException cancelled =
          catchThrowableOfType(
              FlightRuntimeException.class,
              () ->
                  puts.stage(
                      DatasetName.of("trips/" + PutParts.stagedName(PUT, 0)), reader, () -> true));
      assertThat(cancelled.status().code()).isEqualTo(FlightStatusCode.CANCELLED);
    }
    assertThat(puts.staged()).isEmpty();
    assertThat(dataDir.resolve(".flight-staging/puts/" + PUT)).doesNotExist();
  }
}
