package dev.flightcluster.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.server.TestData;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class DatasetStoreTest {
  @TempDir Path dataDir;
  @TempDir Path outside;
  private BufferAllocator allocator;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger storeLogger = (Logger) LoggerFactory.getLogger(DatasetStore.class);

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    logs.start();
    storeLogger.addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    storeLogger.detachAppender(logs);
    allocator.close();
  }

  @Test
  void listsFilesFoldersAndHivePartitionedFolders() throws Exception {
    Path sales = TestData.write(dataDir.resolve("sales.parquet"), 0, 10);
    Path tripsA = TestData.write(dataDir.resolve("trips/part-0.parquet"), 0, 5);
    Path tripsB = TestData.write(dataDir.resolve("trips/part-1.parquet"), 5, 7);
    TestData.write(dataDir.resolve("events/year=2024/month=1/part-0.parquet"), 0, 3);
    TestData.write(dataDir.resolve("events/year=2025/month=2/part-0.parquet"), 3, 4);
    TestData.write(dataDir.resolve(".hidden.parquet"), 0, 1);
    Files.writeString(dataDir.resolve("notes.txt"), "not a dataset");
    Files.writeString(dataDir.resolve("trips/_SUCCESS"), "");

    DatasetStore store = DatasetStore.open(allocator, dataDir);
    var datasets = store.listing().datasets();

    assertThat(datasets.keySet())
        .extracting(DatasetName::value)
        .containsExactly("events", "sales.parquet", "trips");
    assertThat(datasets.get(DatasetName.of("sales.parquet")).rows()).isEqualTo(10);
    assertThat(datasets.get(DatasetName.of("sales.parquet")).bytes()).isEqualTo(Files.size(sales));
    Dataset trips = datasets.get(DatasetName.of("trips"));
    assertThat(trips.rows()).isEqualTo(12);
    assertThat(trips.bytes()).isEqualTo(Files.size(tripsA) + Files.size(tripsB));
    assertThat(trips.paths()).containsExactly(tripsA.toRealPath(), tripsB.toRealPath());
    assertThat(trips.schema().getFields()).isEqualTo(TestData.SCHEMA.getFields());
    assertThat(datasets.get(DatasetName.of("events")).rows()).isEqualTo(7);
    assertThat(Files.isDirectory(dataDir.resolve(DatasetStore.STAGING_DIR))).isTrue();
  }

  @Test
  void hivePartitionDirectoriesBecomeColumnsAfterTheFileColumns() throws Exception {
    TestData.write(
        dataDir.resolve("trips/year=2024/month=1/region=eu%2Fwest/part-0.parquet"), 0, 3);
    TestData.write(
        dataDir.resolve("trips/year=2024/month=1/region=eu%2Fwest/part-1.parquet"), 3, 2);
    TestData.write(
        dataDir.resolve(
            "trips/year=2025/month=12/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet"),
        5,
        4);
    TestData.write(dataDir.resolve("plain/sub/part-0.parquet"), 0, 3);

    Dataset trips =
        DatasetStore.open(allocator, dataDir).listing().datasets().get(DatasetName.of("trips"));

    assertThat(trips.schema().getFields())
        .containsExactly(
            Field.nullable("id", new ArrowType.Int(64, true)),
            Field.nullable("name", new ArrowType.Utf8()),
            Field.nullable("year", new ArrowType.Int(64, true)),
            Field.nullable("month", new ArrowType.Int(64, true)),
            Field.nullable("region", new ArrowType.Utf8()));
    assertThat(trips.fileSchema().getFields()).isEqualTo(TestData.SCHEMA.getFields());
    assertThat(trips.rows()).isEqualTo(9);
    assertThat(trips.partitions().values())
        .containsExactly(
            List.of(2024L, 1L, "eu/west"),
            List.of(2024L, 1L, "eu/west"),
            Arrays.asList(2025L, 12L, null));
    assertThat(warnings()).isEmpty();
  }

  @Test
  void partitionValuesAreInTheFingerprint() throws Exception {
    TestData.write(dataDir.resolve("a/year=2024/part-0.parquet"), 0, 3);
    TestData.write(dataDir.resolve("b/year=2025/part-0.parquet"), 0, 3);
    TestData.write(dataDir.resolve("c/year=2024/part-0.parquet"), 0, 3);
    var datasets = DatasetStore.open(allocator, dataDir).listing().datasets();
    var a = datasets.get(DatasetName.of("a")).fingerprint();
    assertThat(datasets.get(DatasetName.of("b")).fingerprint()).isNotEqualTo(a);
    assertThat(datasets.get(DatasetName.of("c")).fingerprint()).isEqualTo(a);
  }

  @Test
  void aFolderWithoutPartitionsKeepsItsFingerprintFormula() throws Exception {
    Path first = TestData.write(dataDir.resolve("plain/part-0.parquet"), 0, 3);
    Path second = TestData.write(dataDir.resolve("plain/sub/part-1.parquet"), 3, 4);
    Dataset plain =
        DatasetStore.open(allocator, dataDir).listing().datasets().get(DatasetName.of("plain"));

    MessageDigest footers = DatasetFingerprint.sha256();
    footers.update(ParquetFiles.footer(first));
    footers.update(ParquetFiles.footer(second));
    assertThat(plain.partitions()).isSameAs(Partitions.NONE);
    assertThat(plain.schema().getFields()).isEqualTo(TestData.SCHEMA.getFields());
    assertThat(plain.fingerprint())
        .isEqualTo(
            DatasetFingerprint.compute(
                plain.schema(), 7, Files.size(first) + Files.size(second), footers.digest()));
  }

  @Test
  void inconsistentPartitionLayoutsAreLeftOutWithOneWarningEach() throws Exception {
    TestData.write(dataDir.resolve("mixed/year=2024/part-0.parquet"), 0, 3);
    TestData.write(dataDir.resolve("mixed/part-1.parquet"), 3, 3);
    TestData.write(dataDir.resolve("clash/id=7/part-0.parquet"), 0, 3);
    TestData.write(dataDir.resolve("good/year=2024/part-0.parquet"), 0, 3);

    DatasetStore store = DatasetStore.open(allocator, dataDir);
    store.refresh();
    store.refresh();

    assertThat(store.listing().datasets().keySet())
        .extracting(DatasetName::value)
        .containsExactly("good");
    assertThat(warnings()).hasSize(2);
    assertThat(warnings())
        .anySatisfy(
            message ->
                assertThat(message)
                    .contains(
                        "leaving out dataset mixed",
                        "different partition keys",
                        "part-1.parquet has []"));
    assertThat(warnings())
        .anySatisfy(
            message -> assertThat(message).contains("leaving out dataset clash", "column 'id'"));

    // Repaired: served again.
    Files.move(
        dataDir.resolve("mixed/part-1.parquet"), dataDir.resolve("mixed/year=2024/part-1.parquet"));
    store.refresh();
    assertThat(store.listing().datasets().get(DatasetName.of("mixed")).rows()).isEqualTo(6);
  }

  @Test
  void versionChangesOnlyWhenDatasetsChange() throws Exception {
    TestData.write(dataDir.resolve("a.parquet"), 0, 3);
    DatasetStore store = DatasetStore.open(allocator, dataDir);
    long first = store.listing().version();
    var fingerprint = store.listing().datasets().get(DatasetName.of("a.parquet")).fingerprint();

    assertThat(store.refresh()).isFalse();
    assertThat(store.listing().version()).isEqualTo(first);

    TestData.write(dataDir.resolve("a.parquet"), 100, 4);
    assertThat(store.refresh()).isTrue();
    assertThat(store.listing().version()).isGreaterThan(first);
    assertThat(store.listing().datasets().get(DatasetName.of("a.parquet")).fingerprint())
        .isNotEqualTo(fingerprint);
  }

  @Test
  void sameContentSameFingerprintAcrossDirectories() throws Exception {
    Path other = outside.resolve("copy");
    TestData.write(dataDir.resolve("a.parquet"), 0, 3);
    Files.createDirectories(other);
    Files.copy(dataDir.resolve("a.parquet"), other.resolve("a.parquet"));
    var here =
        DatasetStore.open(allocator, dataDir).listing().datasets().get(DatasetName.of("a.parquet"));
    var there =
        DatasetStore.open(allocator, other).listing().datasets().get(DatasetName.of("a.parquet"));
    assertThat(here.fingerprint()).isEqualTo(there.fingerprint());
  }

  @Test
  void corruptFileIsLeftOutWithOneWarningWhileOthersServe() throws Exception {
    TestData.write(dataDir.resolve("good.parquet"), 0, 3);
    Files.writeString(dataDir.resolve("corrupt.parquet"), "this is not parquet at all PAR1");
    TestData.write(dataDir.resolve("folder/part-0.parquet"), 0, 3);
    Files.writeString(dataDir.resolve("folder/part-1.parquet"), "garbage");

    DatasetStore store = DatasetStore.open(allocator, dataDir);
    store.refresh();
    store.refresh();

    assertThat(store.listing().datasets().keySet())
        .extracting(DatasetName::value)
        .containsExactly("good.parquet");
    assertThat(warnings()).hasSize(2);
    assertThat(warnings()).anySatisfy(message -> assertThat(message).contains("corrupt.parquet"));
    assertThat(warnings()).anySatisfy(message -> assertThat(message).contains("part-1.parquet"));

    // Repaired: served again, and a later breakage warns again.
    TestData.write(dataDir.resolve("corrupt.parquet"), 0, 2);
    store.refresh();
    assertThat(store.listing().datasets().keySet())
        .extracting(DatasetName::value)
        .containsExactly("corrupt.parquet", "good.parquet");
  }

  @Test
  void symlinkOutOfTheDataDirIsNeitherListedNorFound() throws Exception {
    Path secret = TestData.write(outside.resolve("secret.parquet"), 0, 3);
    Files.createSymbolicLink(dataDir.resolve("leak.parquet"), secret);
    Files.createSymbolicLink(dataDir.resolve("leakdir"), outside);
    Path inside = TestData.write(dataDir.resolve("real.parquet"), 0, 2);
    Files.createSymbolicLink(dataDir.resolve("alias.parquet"), inside);

    DatasetStore store = DatasetStore.open(allocator, dataDir);

    assertThat(store.listing().datasets().keySet())
        .extracting(DatasetName::value)
        .containsExactly("alias.parquet", "real.parquet");
    assertThatThrownBy(() -> store.find(DatasetName.of("leak.parquet")))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> store.find(DatasetName.of("leakdir/secret.parquet")))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> store.find(DatasetName.of("missing.parquet")))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
  }

  @Test
  void stagingLeftoversAreDeletedAtStartUp() throws Exception {
    Path leftover = dataDir.resolve(DatasetStore.STAGING_DIR).resolve("abc/part-0.parquet");
    Files.createDirectories(leftover.getParent());
    Files.writeString(leftover, "half an upload");
    DatasetStore.open(allocator, dataDir);
    assertThat(dataDir.resolve(DatasetStore.STAGING_DIR)).isEmptyDirectory();
  }

  private java.util.List<String> warnings() {
    return logs.list.stream()
        .filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
