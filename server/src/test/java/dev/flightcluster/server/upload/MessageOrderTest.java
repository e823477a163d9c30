package dev.flightcluster.server.upload;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageOrderTest {
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private static FlightDataFraming.Frame frame(boolean descriptor, byte[] header, long body) {
    return new FlightDataFraming.Frame(descriptor, header, body);
  }

  @Test
  void aValidStreamOfNestedViewAndFixedSizeListColumnsIsInOrder() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchValidatorTest.NESTED, allocator)) {
      BatchValidatorTest.fillNested(root);
      IpcMessages.Batch batch = IpcMessages.batch(root);
      MessageOrder order = new MessageOrder();

      assertThat(order.accept(frame(true, IpcMessages.schemaHeader(BatchValidatorTest.NESTED), 0)))
          .isNull();
      assertThat(
              order.accept(
                  frame(false, IpcMessages.serializedBatchHeader(root), batch.body().length)))
          .isNull();
      assertThat(order.accept(frame(false, null, 0))).isNull();
    }
  }

  @Test
  void aBatchClaimingMoreRowsThanItsBuffersHoldIsRefused() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(BatchValidatorTest.NESTED, allocator)) {
      BatchValidatorTest.fillNested(root);
      IpcMessages.Batch batch = IpcMessages.batch(root);
      IpcMessages.Layout layout = batch.layout();
      IpcMessages.Layout longer =
          new IpcMessages.Layout(
              1_000_000, layout.nodes(), layout.buffers(), layout.bodyLength(), layout.codec());
      MessageOrder order = new MessageOrder();
      order.accept(frame(true, IpcMessages.schemaHeader(BatchValidatorTest.NESTED), 0));

      assertThat(order.accept(frame(false, longer.header(), batch.body().length)))
          .contains("column 'pair' claims 3 values in a batch of 1000000 rows");
      assertThat(order.accept(frame(false, IpcMessages.serializedBatchHeader(root), 0)))
          .contains("the body holds 0");
    }
  }

  @Test
  void messagesOutOfOrderAreRefused() {
    byte[] schema = IpcMessages.schemaHeader(BatchValidatorTest.NESTED);
    assertThat(new MessageOrder().accept(frame(false, schema, 0))).contains("no flight_descriptor");
    MessageOrder twice = new MessageOrder();
    twice.accept(frame(true, schema, 0));
    assertThat(twice.accept(frame(false, schema, 0))).contains("second schema");
    assertThat(new MessageOrder().accept(frame(true, new byte[] {1, 2, 3}, 0)))
        .contains("not a valid Arrow IPC message");
  }
}
