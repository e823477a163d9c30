package dev.flightcluster.server.upload;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.BodyCompressionMethod;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/** Builds DoPut messages byte by byte, the way Flight encodes them, so tests can break any part. */
final class IpcMessages {
  private IpcMessages() {}

  /** A FlightData message; any part may be null. */
  static byte[] flightData(String path, byte[] header, byte[] body) {
    Flight.FlightData.Builder data = Flight.FlightData.newBuilder();
    if (path != null) {
      data.setFlightDescriptor(
          Flight.FlightDescriptor.newBuilder()
              .setType(Flight.FlightDescriptor.DescriptorType.PATH)
              .addPath(path));
    }
    if (header != null) {
      data.setDataHeader(ByteString.copyFrom(header));
    }
    if (body != null) {
      data.setDataBody(ByteString.copyFrom(body));
    }
    return data.build().toByteArray();
  }

  static byte[] schemaHeader(Schema schema) {
    return bytes(MessageSerializer.serializeMetadata(schema, IpcOption.DEFAULT));
  }

  /**
   * A record batch's layout as its header states it, which a test may change before encoding.
   *
   * @param nodes per field node: length, null count
   * @param buffers per buffer: offset, length
   * @param codec the compression codec, or -1 for none
   */
  record Layout(long length, long[][] nodes, long[][] buffers, long bodyLength, byte codec) {
    Layout copy() {
      long[][] n = new long[nodes.length][];
      for (int i = 0; i < n.length; i++) {
        n[i] = nodes[i].clone();
      }
      long[][] b = new long[buffers.length][];
      for (int i = 0; i < b.length; i++) {
        b[i] = buffers[i].clone();
      }
      return new Layout(length, n, b, bodyLength, codec);
    }

    Layout withCodec(byte newCodec) {
      return new Layout(length, nodes, buffers, bodyLength, newCodec);
    }

    byte[] header() {
      FlatBufferBuilder builder = new FlatBufferBuilder();
      RecordBatch.startNodesVector(builder, nodes.length);
      for (int i = nodes.length - 1; i >= 0; i--) {
        FieldNode.createFieldNode(builder, nodes[i][0], nodes[i][1]);
      }
      int nodesOffset = builder.endVector();
      RecordBatch.startBuffersVector(builder, buffers.length);
      for (int i = buffers.length - 1; i >= 0; i--) {
        Buffer.createBuffer(builder, buffers[i][0], buffers[i][1]);
      }
      int buffersOffset = builder.endVector();
      int compression =
          codec < 0
              ? 0
              : BodyCompression.createBodyCompression(builder, codec, BodyCompressionMethod.BUFFER);
      RecordBatch.startRecordBatch(builder);
      RecordBatch.addLength(builder, length);
      RecordBatch.addNodes(builder, nodesOffset);
      RecordBatch.addBuffers(builder, buffersOffset);
      if (codec >= 0) {
        RecordBatch.addCompression(builder, compression);
      }
      int batch = RecordBatch.endRecordBatch(builder);
      Message.startMessage(builder);
      Message.addVersion(builder, MetadataVersion.V5);
      Message.addHeaderType(builder, MessageHeader.RecordBatch);
      Message.addHeader(builder, batch);
      Message.addBodyLength(builder, bodyLength);
      builder.finish(Message.endMessage(builder));
      return builder.sizedByteArray();
    }
  }

  /** A record batch: its layout and its body. */
  record Batch(Layout layout, byte[] body) {
    byte[] header() {
      return layout.header();
    }
  }

  /** The batch now in {@code root}, encoded as Flight's client would. */
  static Batch batch(VectorSchemaRoot root) {
    try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
      List<ArrowFieldNode> nodes = batch.getNodes();
      long[][] n = new long[nodes.size()][];
      for (int i = 0; i < n.length; i++) {
        n[i] = new long[] {nodes.get(i).getLength(), nodes.get(i).getNullCount()};
      }
      List<ArrowBuffer> layout = batch.getBuffersLayout();
      List<ArrowBuf> buffers = batch.getBuffers();
      long[][] b = new long[layout.size()][];
      byte[] body = new byte[(int) batch.computeBodyLength()];
      for (int i = 0; i < b.length; i++) {
        ArrowBuffer spec = layout.get(i);
        b[i] = new long[] {spec.getOffset(), spec.getSize()};
        buffers.get(i).getBytes(0, body, (int) spec.getOffset(), (int) spec.getSize());
      }
      return new Batch(new Layout(batch.getLength(), n, b, body.length, (byte) -1), body);
    }
  }

  /** A dictionary batch of {@code id} holding the values in {@code root}: header and body. */
  static byte[][] dictionaryBatch(long id, VectorSchemaRoot root) {
    Batch values = batch(root);
    try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch();
        ArrowDictionaryBatch dictionary = new ArrowDictionaryBatch(id, batch)) {
      return new byte[][] {
        bytes(MessageSerializer.serializeMetadata(dictionary, IpcOption.DEFAULT)), values.body()
      };
    }
  }

  /** The exact header arrow-java writes for {@code root}'s batch (for byte-level mutation). */
  static byte[] serializedBatchHeader(VectorSchemaRoot root) {
    try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
      return bytes(MessageSerializer.serializeMetadata(batch, IpcOption.DEFAULT));
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
