package dev.flightcluster.cli.demo;

import java.util.SplittableRandom;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The demo's sample tables. Each is realistic enough to be worth looking at (timestamps, measures,
 * identifiers and low-cardinality categories, a few nulls) and fully determined by its seed and row
 * count, so every run and every machine writes the same bytes.
 *
 * <p>The categorical columns are plain UTF-8 strings, not Arrow dictionaries: Parquet
 * dictionary-encodes them on disk anyway, and plain strings keep Flight streams free of dictionary
 * batches, which not every Flight client handles.
 */
public enum SampleTable {
  /** Taxi trips: pickup and dropoff times, zones, distance, fare, tip, payment type. */
  TAXI_TRIPS("taxi_trips.parquet", 0x7A41L, new SampleRows.TaxiTrips()),
  /** Sensor readings: 500 sensors at 8 sites, each every 10 seconds. */
  SENSOR_READINGS("sensor_readings.parquet", 0x5E45L, new SampleRows.SensorReadings()),
  /** Web shop orders: customers, countries, channels, statuses, amounts. */
  ORDERS("orders.parquet", 0x0DE5L, new SampleRows.Orders());

  private final String fileName;
  private final long seed;
  private final SampleRows rows;

  SampleTable(String fileName, long seed, SampleRows rows) {
    this.fileName = fileName;
    this.seed = seed;
    this.rows = rows;
  }

  /** The file name, which is also the dataset name. */
  public String fileName() {
    return fileName;
  }

  public Schema schema() {
    return rows.schema();
  }

  SampleRows rows() {
    return rows;
  }

  SplittableRandom random() {
    return new SplittableRandom(seed);
  }
}
