package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flightcluster.testing.RawBytes;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request messages that do not decode, sent as raw bytes since no Flight client would build them:
 * each gets INVALID_ARGUMENT, gRPC logs nothing, and the coordinator keeps serving.
 */
class UndecodableRequestTest {
  /** FlightDescriptor {type: PATH, path: ["\xff"]}: field 1 varint 1, field 3 one byte 0xff. */
  private static final byte[] NON_UTF8_PATH = {0x08, 0x01, 0x1A, 0x01, (byte) 0xFF};

  /** Action {type: "\xc3", body: ""}: a truncated two-byte UTF-8 sequence. */
  private static final byte[] NON_UTF8_ACTION_TYPE = {0x0A, 0x01, (byte) 0xC3};

  /** A length-delimited field that claims more bytes than follow. */
  private static final byte[] NOT_PROTOBUF = {0x1A, 0x7F, 0x01};

  private final Logger grpcLogger = Logger.getLogger("io.grpc");
  private final List<LogRecord> grpcWarnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            grpcWarnings.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private CoordinatorHarness harness;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    grpcLogger.addHandler(capture);
    harness = new CoordinatorHarness();
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", harness.coordinator.port())
            .usePlaintext()
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      harness.close();
    } finally {
      grpcLogger.removeHandler(capture);
    }
  }

  @Test
  void aDescriptorPathThatIsNotUtf8IsInvalidArgument() {
    for (var method :
        List.of(
            FlightServiceGrpc.getGetFlightInfoMethod(),
            FlightServiceGrpc.getGetSchemaMethod(),
            FlightServiceGrpc.getPollFlightInfoMethod())) {
      Status status = unaryStatus(method, NON_UTF8_PATH);

      assertThat(status.getCode())
          .as("%s", method.getBareMethodName())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .startsWith(method.getBareMethodName() + " request is not a valid FlightDescriptor")
          .contains("UTF-8")
          .doesNotContain("Exception");
    }
    assertServingAndQuiet();
  }

  @Test
  void anActionTypeThatIsNotUtf8IsInvalidArgument() {
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingServerStreamingCall(
                        channel,
                        raw(FlightServiceGrpc.getDoActionMethod()),
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                        NON_UTF8_ACTION_TYPE)
                    .forEachRemaining(result -> {}));

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(failure.getStatus().getDescription())
        .startsWith("DoAction request is not a valid Action");
    assertServingAndQuiet();
  }

  @Test
  void bytesThatAreNoProtocolBufferAreInvalidArgument() {
    assertThat(unaryStatus(FlightServiceGrpc.getGetFlightInfoMethod(), NOT_PROTOBUF).getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertServingAndQuiet();
  }

  private <ReqT, RespT> Status unaryStatus(MethodDescriptor<ReqT, RespT> method, byte[] request) {
    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    raw(method),
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    request));
    assertThat(failure).as("%s should fail", method.getBareMethodName()).isNotNull();
    return failure.getStatus();
  }

  private static MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<?, ?> method) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(method.getType())
        .setFullMethodName(method.getFullMethodName())
        .setRequestMarshaller(RawBytes.MARSHALLER)
        .setResponseMarshaller(RawBytes.MARSHALLER)
        .build();
  }

  private void assertServingAndQuiet() {
    assertThat(harness.listNames("")).containsExactly("trips");
    assertThat(grpcWarnings).as("gRPC warnings and errors").isEmpty();
  }
}
