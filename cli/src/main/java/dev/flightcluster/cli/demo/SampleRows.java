package dev.flightcluster.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How the rows of each {@link SampleTable} are made. The random source is consumed row by row in a
 * fixed order, so the values depend on the seed and the row number only, not on the batch size.
 */
abstract sealed class SampleRows {
  /** 2024-01-01T00:00:00Z in microseconds. */
  static final long EPOCH_MICROS = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli() * 1_000L;

  abstract Schema schema();

  /** Fills rows {@code firstRow .. firstRow + count - 1} into {@code root} (already allocated). */
  abstract void fill(VectorSchemaRoot root, long firstRow, int count, SplittableRandom random);

  static Field timestamp(String name) {
    return Field.notNullable(name, new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
  }

  static Field string(String name, boolean nullable) {
    return new Field(name, new FieldType(nullable, ArrowType.Utf8.INSTANCE, null), null);
  }

  static Field float64(String name, boolean nullable) {
    return new Field(
        name,
        new FieldType(nullable, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), null),
        null);
  }

  static Field int32(String name) {
    return Field.notNullable(name, new ArrowType.Int(32, true));
  }

  static Field int64(String name) {
    return Field.notNullable(name, new ArrowType.Int(64, true));
  }

  static byte[][] utf8(String... values) {
    byte[][] bytes = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i].getBytes(UTF_8);
    }
    return bytes;
  }

  /** Picks an index by weight. */
  static int weighted(SplittableRandom random, int[] weights, int total) {
    int pick = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      pick -= weights[i];
      if (pick < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  static double cents(double value) {
    return Math.round(value * 100.0) / 100.0;
  }

  static void setText(VarCharVector vector, int index, String value) {
    vector.setSafe(index, value.getBytes(UTF_8));
  }

  /** NYC-style taxi trips, about one trip every 2.7 seconds from New Year on. */
  static final class TaxiTrips extends SampleRows {
    private static final byte[][] VENDORS = utf8("CMT", "VTS", "DDS");
    private static final int[] VENDOR_WEIGHTS = {45, 50, 5};
    private static final byte[][] PAYMENTS = utf8("card", "cash", "no_charge", "dispute");
    private static final int[] PAYMENT_WEIGHTS = {72, 25, 2, 1};
    private static final byte[][] ZONES =
        utf8(
            "Midtown Center",
            "Upper East Side South",
            "Upper East Side North",
            "Midtown East",
            "Times Sq/Theatre District",
            "Murray Hill",
            "Lincoln Square East",
            "Union Sq",
            "Clinton East",
            "East Village",
            "Penn Station/Madison Sq West",
            "Lenox Hill West",
            "Gramercy",
            "West Village",
            "Upper West Side South",
            "Greenwich Village North",
            "Financial District North",
            "Chelsea",
            "Yorkville West",
            "JFK Airport",
            "LaGuardia Airport",
            "Williamsburg (North Side)",
            "Astoria",
            "Park Slope",
            "Harlem",
            "Battery Park City",
            "Tribeca/Civic Center",
            "SoHo",
            "Lower East Side",
            "Long Island City/Hunters Point");
    private static final int[] PASSENGER_WEIGHTS = {70, 15, 5, 3, 4, 3};

    private static final Schema SCHEMA =
        new Schema(
            List.of(
                int64("trip_id"),
                string("vendor", false),
                timestamp("pickup_at"),
                timestamp("dropoff_at"),
                int32("passenger_count"),
                float64("trip_distance_miles", false),
                string("pickup_zone", false),
                string("dropoff_zone", true),
                string("payment_type", false),
                float64("fare_amount", false),
                float64("tip_amount", true),
                float64("total_amount", false)));

    @Override
    Schema schema() {
      return SCHEMA;
    }

    @Override
    void fill(VectorSchemaRoot root, long firstRow, int count, SplittableRandom random) {
      BigIntVector tripId = (BigIntVector) root.getVector(0);
      VarCharVector vendor = (VarCharVector) root.getVector(1);
      TimeStampMicroTZVector pickup = (TimeStampMicroTZVector) root.getVector(2);
      TimeStampMicroTZVector dropoff = (TimeStampMicroTZVector) root.getVector(3);
      IntVector passengers = (IntVector) root.getVector(4);
      Float8Vector distance = (Float8Vector) root.getVector(5);
      VarCharVector pickupZone = (VarCharVector) root.getVector(6);
      VarCharVector dropoffZone = (VarCharVector) root.getVector(7);
      VarCharVector payment = (VarCharVector) root.getVector(8);
      Float8Vector fare = (Float8Vector) root.getVector(9);
      Float8Vector tip = (Float8Vector) root.getVector(10);
      Float8Vector total = (Float8Vector) root.getVector(11);
      for (int i = 0; i < count; i++) {
        long row = firstRow + i;
        tripId.setSafe(i, 1_000_000_000L + row);
        vendor.setSafe(i, VENDORS[weighted(random, VENDOR_WEIGHTS, 100)]);
        long pickupMicros = EPOCH_MICROS + row * 2_700_000L + random.nextLong(2_000_000L);
        // Log-normal-ish distances: mostly short hops, a long tail to the airports.
        double miles = cents(Math.max(0.1, Math.exp(random.nextDouble(-1.0, 3.2))));
        long minutes = Math.max(2, Math.round(miles * (2.5 + random.nextDouble(3.0))));
        pickup.setSafe(i, pickupMicros);
        dropoff.setSafe(i, pickupMicros + minutes * 60_000_000L + random.nextLong(60_000_000L));
        passengers.setSafe(i, 1 + weighted(random, PASSENGER_WEIGHTS, 100));
        distance.setSafe(i, miles);
        pickupZone.setSafe(i, ZONES[random.nextInt(ZONES.length)]);
        if (random.nextInt(200) == 0) {
          dropoffZone.setNull(i);
        } else {
          dropoffZone.setSafe(i, ZONES[random.nextInt(ZONES.length)]);
        }
        int paymentType = weighted(random, PAYMENT_WEIGHTS, 100);
        payment.setSafe(i, PAYMENTS[paymentType]);
        double fareAmount = cents(3.0 + miles * 2.5 + minutes * 0.5);
        fare.setSafe(i, fareAmount);
        double tipAmount = 0;
        if (paymentType == 0) {
          tipAmount = cents(fareAmount * random.nextDouble(0.1, 0.3));
          tip.setSafe(i, tipAmount);
        } else {
          tip.setNull(i); // cash tips are not recorded
        }
        total.setSafe(i, cents(fareAmount + tipAmount + 1.0));
      }
    }
  }

  /** IoT readings: 500 sensors, each measuring one metric at one site every 10 seconds. */
  static final class SensorReadings extends SampleRows {
    private static final int SENSORS = 500;
    private static final byte[][] SITES =
        utf8("berlin", "paris", "madrid", "milan", "warsaw", "vienna", "lisbon", "dublin");
    private static final byte[][] METRICS = utf8("temperature_c", "humidity_pct", "pressure_hpa");
    private static final double[] BASELINE = {21.0, 45.0, 1013.0};
    private static final double[] SWING = {4.0, 12.0, 6.0};
    private static final byte[][] STATUSES = utf8("ok", "degraded", "offline");
    private static final int[] STATUS_WEIGHTS = {985, 12, 3};
    private static final double MICROS_PER_DAY = 86_400_000_000.0;

    private static final Schema SCHEMA =
        new Schema(
            List.of(
                timestamp("reading_at"),
                string("sensor_id", false),
                string("site", false),
                string("metric", false),
                float64("value", true),
                float64("battery_pct", false),
                string("status", false)));

    @Override
    Schema schema() {
      return SCHEMA;
    }

    @Override
    void fill(VectorSchemaRoot root, long firstRow, int count, SplittableRandom random) {
      TimeStampMicroTZVector readingAt = (TimeStampMicroTZVector) root.getVector(0);
      VarCharVector sensorId = (VarCharVector) root.getVector(1);
      VarCharVector site = (VarCharVector) root.getVector(2);
      VarCharVector metric = (VarCharVector) root.getVector(3);
      Float8Vector value = (Float8Vector) root.getVector(4);
      Float8Vector battery = (Float8Vector) root.getVector(5);
      VarCharVector status = (VarCharVector) root.getVector(6);
      for (int i = 0; i < count; i++) {
        long row = firstRow + i;
        int sensor = (int) (row % SENSORS);
        long tick = row / SENSORS;
        long micros = EPOCH_MICROS + tick * 10_000_000L + sensor * 15_000L;
        int metricIndex = sensor % METRICS.length;
        readingAt.setSafe(i, micros);
        setText(sensorId, i, "sensor-" + (1000 + sensor));
        site.setSafe(i, SITES[sensor % SITES.length]);
        metric.setSafe(i, METRICS[metricIndex]);
        int statusIndex = weighted(random, STATUS_WEIGHTS, 1000);
        double daily =
            Math.sin(
                2 * Math.PI * ((micros - EPOCH_MICROS) % (long) MICROS_PER_DAY) / MICROS_PER_DAY);
        double reading =
            BASELINE[metricIndex] + SWING[metricIndex] * daily + random.nextDouble(-0.5, 0.5);
        if (statusIndex == 2) {
          value.setNull(i);
        } else {
          value.setSafe(i, Math.round(reading * 1000.0) / 1000.0);
        }
        battery.setSafe(i, Math.max(5.0, 100.0 - tick * 0.004 - sensor % 17));
        status.setSafe(i, STATUSES[statusIndex]);
      }
    }
  }

  /** Web shop orders, one every 3 seconds or so, from 50,000 customers in 12 countries. */
  static final class Orders extends SampleRows {
    private static final String[] COUNTRIES = {
      "DE", "FR", "ES", "IT", "NL", "PL", "SE", "AT", "BE", "PT", "GB", "US"
    };
    private static final byte[][] COUNTRY_BYTES = utf8(COUNTRIES);
    private static final int[] COUNTRY_WEIGHTS = {22, 16, 10, 10, 7, 6, 4, 4, 4, 3, 7, 7};
    private static final byte[][] CURRENCIES = utf8("EUR", "GBP", "USD");
    private static final byte[][] CHANNELS = utf8("web", "app", "marketplace", "phone");
    private static final int[] CHANNEL_WEIGHTS = {55, 30, 12, 3};
    private static final byte[][] STATUSES =
        utf8("delivered", "shipped", "processing", "cancelled", "returned");
    private static final int[] STATUS_WEIGHTS = {70, 12, 8, 6, 4};

    private static final Schema SCHEMA =
        new Schema(
            List.of(
                int64("order_id"),
                timestamp("ordered_at"),
                string("customer_id", false),
                string("country", false),
                string("channel", false),
                string("status", false),
                int32("item_count"),
                float64("amount", false),
                string("currency", false),
                float64("discount", true)));

    @Override
    Schema schema() {
      return SCHEMA;
    }

    @Override
    void fill(VectorSchemaRoot root, long firstRow, int count, SplittableRandom random) {
      BigIntVector orderId = (BigIntVector) root.getVector(0);
      TimeStampMicroTZVector orderedAt = (TimeStampMicroTZVector) root.getVector(1);
      VarCharVector customer = (VarCharVector) root.getVector(2);
      VarCharVector country = (VarCharVector) root.getVector(3);
      VarCharVector channel = (VarCharVector) root.getVector(4);
      VarCharVector status = (VarCharVector) root.getVector(5);
      IntVector items = (IntVector) root.getVector(6);
      Float8Vector amount = (Float8Vector) root.getVector(7);
      VarCharVector currency = (VarCharVector) root.getVector(8);
      Float8Vector discount = (Float8Vector) root.getVector(9);
      for (int i = 0; i < count; i++) {
        long row = firstRow + i;
        orderId.setSafe(i, 5_000_000L + row);
        orderedAt.setSafe(i, EPOCH_MICROS + row * 3_000_000L + random.nextLong(3_000_000L));
        setText(customer, i, "C" + (100_000 + random.nextInt(50_000)));
        int countryIndex = weighted(random, COUNTRY_WEIGHTS, 100);
        country.setSafe(i, COUNTRY_BYTES[countryIndex]);
        channel.setSafe(i, CHANNELS[weighted(random, CHANNEL_WEIGHTS, 100)]);
        status.setSafe(i, STATUSES[weighted(random, STATUS_WEIGHTS, 100)]);
        int itemCount = 1 + Math.min(7, (int) Math.floor(-Math.log(1 - random.nextDouble()) * 1.5));
        items.setSafe(i, itemCount);
        amount.setSafe(i, cents(itemCount * random.nextDouble(4.0, 80.0)));
        String code = COUNTRIES[countryIndex];
        currency.setSafe(i, CURRENCIES[code.equals("GB") ? 1 : code.equals("US") ? 2 : 0]);
        if (random.nextInt(5) == 0) {
          discount.setSafe(i, cents(random.nextDouble(1.0, 15.0)));
        } else {
          discount.setNull(i);
        }
      }
    }
  }
}
