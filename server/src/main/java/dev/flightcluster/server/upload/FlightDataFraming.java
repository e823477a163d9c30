package dev.flightcluster.server.upload;

import java.io.IOException;
import java.io.InputStream;

/**
 * Checks the protobuf framing of a raw FlightData message without copying it: every tag and varint
 * well formed, every length-delimited field inside the message. Flight's decoder allocates a
 * field's claimed length before reading it, so a 100-byte message claiming a 2 GB body would take 2
 * GB of direct memory first; this refuses it instead. The stream is read through {@code
 * mark}/{@code reset} and left where it was; a stream that cannot be marked is not checked.
 */
final class FlightDataFraming {
  private static final int FIELD_DESCRIPTOR = 1;
  private static final int FIELD_HEADER = 2;
  private static final int FIELD_BODY = 1000;
  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LENGTH_DELIMITED = 2;
  private static final int WIRE_FIXED32 = 5;

  private FlightDataFraming() {}

  /** The framing is broken; the message says how, for a person. */
  static final class BadFraming extends RuntimeException {
    BadFraming(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * What a message holds, as far as the upload's order of messages is concerned.
   *
   * @param descriptor whether it carries a flight_descriptor
   * @param header its data_header (an Arrow IPC Message flatbuffer), or null
   * @param bodyLength the bytes of its data_body
   */
  record Frame(boolean descriptor, byte[] header, long bodyLength) {}

  /**
   * @return the message's frame, or null when the stream cannot be marked and was not checked
   * @throws BadFraming when the framing is broken
   */
  static Frame check(InputStream in) {
    if (!in.markSupported()) {
      return null;
    }
    boolean descriptor = false;
    byte[] header = null;
    long bodyLength = 0;
    try {
      int total = in.available();
      in.mark(Integer.MAX_VALUE);
      try {
        while (in.available() > 0) {
          long tag = varint(in);
          int field = (int) (tag >>> 3);
          int wire = (int) (tag & 7);
          if (field == 0) {
            throw new BadFraming("its protobuf encoding holds a field numbered 0");
          }
          switch (wire) {
            case WIRE_VARINT -> varint(in);
            case WIRE_FIXED64 -> skip(in, 8, field);
            case WIRE_FIXED32 -> skip(in, 4, field);
            case WIRE_LENGTH_DELIMITED -> {
              long length = varint(in);
              int left = in.available();
              if (length > left) {
                throw new BadFraming(
                    "its protobuf field "
                        + field
                        + " claims "
                        + length
                        + " bytes but only "
                        + left
                        + " of the message's "
                        + total
                        + " follow");
              }
              if (field == FIELD_HEADER) {
                header = in.readNBytes((int) length);
                if (header.length != length) {
                  throw new BadFraming("its data_header ends early");
                }
              } else {
                descriptor |= field == FIELD_DESCRIPTOR;
                if (field == FIELD_BODY) {
                  bodyLength = length; // Flight keeps the last one too
                }
                skip(in, length, field);
              }
            }
            default ->
                throw new BadFraming(
                    "its protobuf field " + field + " has the unknown wire type " + wire);
          }
        }
      } finally {
        in.reset();
      }
      return new Frame(descriptor, header, bodyLength);
    } catch (IOException e) {
      throw new BadFraming("its protobuf encoding cannot be read");
    }
  }

  private static long varint(InputStream in) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new BadFraming("its protobuf encoding ends inside a number");
      }
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new BadFraming("its protobuf encoding holds a number longer than ten bytes");
  }

  private static void skip(InputStream in, long length, int field) throws IOException {
    long left = length;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        throw new BadFraming("its protobuf field " + field + " ends early");
      }
      left -= skipped;
    }
  }
}
