package dev.flightcluster.server.store;

import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;

/**
 * An estimate, from a Parquet footer alone, of the Arrow bytes a file decodes to: what a DoGet
 * sends, and so the FlightInfo's total_bytes (decisions D39). Per column chunk: the values at their
 * physical width, or for byte arrays their unencoded length when the footer records it (else the
 * uncompressed page bytes) plus 4-byte offsets, and a validity bit per value. Narrow integers
 * (stored as 32 bits) and dictionary columns (sent as indices) make it an upper estimate.
 */
final class ArrowSize {
  private ArrowSize() {}

  static long estimate(FileMetaData metadata) {
    long bytes = 0;
    if (metadata.getRow_groups() == null) {
      return 0;
    }
    for (RowGroup group : metadata.getRow_groups()) {
      for (ColumnChunk chunk : group.getColumns()) {
        ColumnMetaData column = chunk.getMeta_data();
        if (column != null) {
          bytes += estimate(column);
        }
      }
    }
    return bytes;
  }

  private static long estimate(ColumnMetaData column) {
    long values = column.getNum_values();
    long validity = (values + 7) / 8;
    long data =
        switch (column.getType()) {
          case BOOLEAN -> (values + 7) / 8;
          case INT32, FLOAT -> 4 * values;
          case INT64, DOUBLE, INT96 -> 8 * values;
          case BYTE_ARRAY ->
              4 * values
                  + (column.isSetSize_statistics()
                          && column.getSize_statistics().isSetUnencoded_byte_array_data_bytes()
                      ? column.getSize_statistics().getUnencoded_byte_array_data_bytes()
                      : column.getTotal_uncompressed_size());
          case FIXED_LEN_BYTE_ARRAY -> column.getTotal_uncompressed_size();
        };
    return validity + data;
  }
}
