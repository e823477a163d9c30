package dev.flightcluster.otel.producer;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

class GuardedProducerTest {
  @Test
  void flightStatusesPassThroughUnchanged() {
    FlightRuntimeException notFound =
        CallStatus.NOT_FOUND.withDescription("x").toRuntimeException();

    assertThat(GuardedProducer.translate("coordinator", "GetFlightInfo", notFound))
        .isSameAs(notFound);
  }

  @Test
  void anyOtherExceptionIsAnInternalErrorNamingTheCall() {
    FlightRuntimeException translated =
        GuardedProducer.translate("coordinator", "ListFlights", new IllegalStateException("boom"));

    assertThat(translated.status().code()).isEqualTo(FlightStatusCode.INTERNAL);
    assertThat(translated.status().description())
        .contains("ListFlights")
        .contains("coordinator")
        .contains("boom");
    assertThat(translated.getCause()).isInstanceOf(IllegalStateException.class);
  }
}
