package dev.flightcluster.server;

import static dev.flightcluster.otel.metrics.FlightMetrics.DATASET;
import static dev.flightcluster.otel.metrics.FlightMetrics.SERVER_ID;
import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.metrics.BoundedLabel;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.server.cache.HotCache;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongCounter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.metrics.ObservableLongUpDownCounter;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code flight.server.*} instruments of one data server (docs/metrics.md lists them). The
 * producer calls it at a few points of DoGet and DoPut; the scan budget is read when a reader
 * collects. Close it with the server: that stops the gauges' callbacks. Thread-safe.
 */
public final class ServerMetrics implements AutoCloseable {
  private final Supplier<String> serverId;
  private final BoundedLabel datasets;
  private final LongCounter streamedRows;
  private final LongCounter streamedBytes;
  private final LongCounter streamedBatches;
  private final LongCounter uploadedRows;
  private final LongCounter uploadedBytes;
  private final LongCounter uploadedBatches;
  private final DoubleHistogram doGetDuration;
  private final LongUpDownCounter doGetActive;
  private final LongUpDownCounter doPutActive;
  private final LongUpDownCounter scanWaiting;
  private final LongUpDownCounter uploadsStaging;
  private final ObservableLongGauge scanReserved;
  private final ObservableLongGauge scanLimit;
  private final ObservableLongCounter cacheHits;
  private final ObservableLongCounter cacheMisses;
  private final ObservableLongUpDownCounter cacheBytes;
  private final ObservableLongUpDownCounter cacheEntries;

  /**
   * @param serverId read at each measurement: the id is known only once the server has started
   * @param scanReserved the scan memory reserved now, read by the reserved gauge
   * @param scanLimit the scan memory budget, read by the limit gauge
   * @param cache the hot cache, whose counts are read when a reader collects
   * @param datasets bounds the dataset label's values
   */
  ServerMetrics(
      Meter meter,
      Supplier<String> serverId,
      LongSupplier scanReserved,
      LongSupplier scanLimit,
      HotCache cache,
      BoundedLabel datasets) {
    requireNonNull(cache, "cache is null");
    requireNonNull(meter, "meter is null");
    requireNonNull(scanReserved, "scanReserved is null");
    requireNonNull(scanLimit, "scanLimit is null");
    this.serverId = requireNonNull(serverId, "serverId is null");
    this.datasets = requireNonNull(datasets, "datasets is null");
    streamedRows =
        counter(meter, FlightMetrics.STREAMED_ROWS, FlightMetrics.UNIT_ROWS, "Rows sent by DoGet");
    streamedBytes =
        counter(
            meter,
            FlightMetrics.STREAMED_BYTES,
            FlightMetrics.UNIT_BYTES,
            "Arrow buffer bytes sent by DoGet");
    streamedBatches =
        counter(
            meter,
            FlightMetrics.STREAMED_BATCHES,
            FlightMetrics.UNIT_BATCHES,
            "Record batches sent by DoGet");
    uploadedRows =
        counter(
            meter, FlightMetrics.UPLOADED_ROWS, FlightMetrics.UNIT_ROWS, "Rows stored by DoPut");
    uploadedBytes =
        counter(
            meter,
            FlightMetrics.UPLOADED_BYTES,
            FlightMetrics.UNIT_BYTES,
            "Arrow buffer bytes stored by DoPut");
    uploadedBatches =
        counter(
            meter,
            FlightMetrics.UPLOADED_BATCHES,
            FlightMetrics.UNIT_BATCHES,
            "Record batches stored by DoPut");
    doGetDuration =
        meter
            .histogramBuilder(FlightMetrics.DOGET_DURATION)
            .setUnit(FlightMetrics.UNIT_SECONDS)
            .setDescription("DoGet streams from the call to their end")
            .setExplicitBucketBoundariesAdvice(FlightMetrics.DURATION_BUCKETS_SECONDS)
            .build();
    doGetActive =
        upDown(
            meter,
            FlightMetrics.DOGET_ACTIVE,
            FlightMetrics.UNIT_STREAMS,
            "DoGet streams in progress");
    doPutActive =
        upDown(
            meter,
            FlightMetrics.DOPUT_ACTIVE,
            FlightMetrics.UNIT_STREAMS,
            "DoPut streams in progress");
    scanWaiting =
        upDown(
            meter,
            FlightMetrics.SCAN_BUDGET_WAITING,
            FlightMetrics.UNIT_STREAMS,
            "DoGet streams waiting for scan memory");
    uploadsStaging =
        upDown(
            meter,
            FlightMetrics.UPLOADS_STAGING,
            FlightMetrics.UNIT_UPLOADS,
            "Uploads being written to the staging area");
    this.scanReserved =
        meter
            .gaugeBuilder(FlightMetrics.SCAN_BUDGET_RESERVED)
            .ofLongs()
            .setUnit(FlightMetrics.UNIT_BYTES)
            .setDescription("Scan memory reserved by running DoGet streams")
            .buildWithCallback(m -> m.record(scanReserved.getAsLong(), server()));
    this.scanLimit =
        meter
            .gaugeBuilder(FlightMetrics.SCAN_BUDGET_LIMIT)
            .ofLongs()
            .setUnit(FlightMetrics.UNIT_BYTES)
            .setDescription("The scan memory budget")
            .buildWithCallback(m -> m.record(scanLimit.getAsLong(), server()));
    cacheHits =
        meter
            .counterBuilder(FlightMetrics.CACHE_HITS)
            .setUnit(FlightMetrics.UNIT_FILES)
            .setDescription("Files a DoGet read from their hot cache copy")
            .buildWithCallback(m -> m.record(cache.hits(), server()));
    cacheMisses =
        meter
            .counterBuilder(FlightMetrics.CACHE_MISSES)
            .setUnit(FlightMetrics.UNIT_FILES)
            .setDescription("Files a DoGet read from Parquet, having no current hot cache copy")
            .buildWithCallback(m -> m.record(cache.misses(), server()));
    cacheBytes =
        meter
            .upDownCounterBuilder(FlightMetrics.CACHE_BYTES)
            .setUnit(FlightMetrics.UNIT_BYTES)
            .setDescription("Bytes of the hot cache's copies on disk")
            .buildWithCallback(m -> m.record(cache.bytes(), server()));
    cacheEntries =
        meter
            .upDownCounterBuilder(FlightMetrics.CACHE_ENTRIES)
            .setUnit(FlightMetrics.UNIT_FILES)
            .setDescription("Copies in the hot cache")
            .buildWithCallback(m -> m.record(cache.entries(), server()));
  }

  /** Starts measuring one DoGet of {@code dataset}; close the result when the stream ends. */
  public DoGet doGet(String dataset) {
    return new DoGet(perDataset(dataset));
  }

  /** Counts a DoPut stream in progress until the result is closed. */
  Counted doPut() {
    Attributes server = server();
    doPutActive.add(1, server);
    return () -> doPutActive.add(-1, server);
  }

  /** Counts an upload being written to the staging area until the result is closed. */
  Counted staging() {
    Attributes server = server();
    uploadsStaging.add(1, server);
    return () -> uploadsStaging.add(-1, server);
  }

  /** Counts a DoGet waiting for scan memory until the result is closed. */
  public Counted waitingForScanMemory() {
    Attributes server = server();
    scanWaiting.add(1, server);
    return () -> scanWaiting.add(-1, server);
  }

  /** Records a stored upload of {@code dataset}. */
  void uploaded(String dataset, long rows, long batches, long bytes) {
    Attributes attributes = perDataset(dataset);
    uploadedRows.add(rows, attributes);
    uploadedBatches.add(batches, attributes);
    uploadedBytes.add(bytes, attributes);
  }

  @Override
  public void close() {
    scanReserved.close();
    scanLimit.close();
    cacheHits.close();
    cacheMisses.close();
    cacheBytes.close();
    cacheEntries.close();
  }

  private Attributes server() {
    return Attributes.of(SERVER_ID, serverId.get());
  }

  private Attributes perDataset(String dataset) {
    return Attributes.of(DATASET, datasets.value(dataset), SERVER_ID, serverId.get());
  }

  private static LongCounter counter(Meter meter, String name, String unit, String description) {
    return meter.counterBuilder(name).setUnit(unit).setDescription(description).build();
  }

  private static LongUpDownCounter upDown(
      Meter meter, String name, String unit, String description) {
    return meter.upDownCounterBuilder(name).setUnit(unit).setDescription(description).build();
  }

  /** A count held while open: closing takes it back; close it once. */
  public interface Counted extends AutoCloseable {
    @Override
    void close();
  }

  /** One DoGet in progress: its batches are counted as they go, so long streams show at once. */
  public final class DoGet implements AutoCloseable {
    private final Attributes attributes;
    private final Attributes server;
    private final long startNanos = System.nanoTime();

    private DoGet(Attributes attributes) {
      this.attributes = attributes;
      this.server = Attributes.of(SERVER_ID, attributes.get(SERVER_ID));
      doGetActive.add(1, server);
    }

    /** Counts one batch sent. */
    public void batch(long rows, long bytes) {
      streamedRows.add(rows, attributes);
      streamedBatches.add(1, attributes);
      streamedBytes.add(bytes, attributes);
    }

    /** Records the duration with the current context, whose span becomes the exemplar. */
    @Override
    public void close() {
      doGetActive.add(-1, server);
      doGetDuration.record((System.nanoTime() - startNanos) / 1e9, attributes);
    }
  }
}
