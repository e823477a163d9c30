package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Flight statuses honest. Flight reports any exception that is not a {@link
 * FlightRuntimeException} as UNKNOWN, which tells the caller nothing; the delegate reports every
 * caller mistake with a proper status, so anything else is a coordinator bug: it is logged with its
 * stack trace and answered as INTERNAL.
 */
final class GuardedProducer implements FlightProducer {
  private static final Logger log = LoggerFactory.getLogger(GuardedProducer.class);

  private final FlightProducer delegate;

  GuardedProducer(FlightProducer delegate) {
    this.delegate = requireNonNull(delegate, "delegate is null");
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      delegate.getStream(context, ticket, listener);
    } catch (RuntimeException e) {
      listener.error(translate("DoGet", e));
    }
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      delegate.listFlights(context, criteria, listener);
    } catch (RuntimeException e) {
      listener.onError(translate("ListFlights", e));
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      return delegate.getFlightInfo(context, descriptor);
    } catch (RuntimeException e) {
      throw translate("GetFlightInfo", e);
    }
  }

  @Override
  public PollInfo pollFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      return delegate.pollFlightInfo(context, descriptor);
    } catch (RuntimeException e) {
      throw translate("PollFlightInfo", e);
    }
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    try {
      return delegate.getSchema(context, descriptor);
    } catch (RuntimeException e) {
      throw translate("GetSchema", e);
    }
  }

  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    try {
      Runnable put = delegate.acceptPut(context, flightStream, ackStream);
      return () -> {
        try {
          put.run();
        } catch (RuntimeException e) {
          throw translate("DoPut", e);
        }
      };
    } catch (RuntimeException e) {
      throw translate("DoPut", e);
    }
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    try {
      delegate.doExchange(context, reader, writer);
    } catch (RuntimeException e) {
      throw translate("DoExchange", e);
    }
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    try {
      delegate.doAction(context, action, listener);
    } catch (RuntimeException e) {
      listener.onError(translate("DoAction " + action.getType(), e));
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    try {
      delegate.listActions(context, listener);
    } catch (RuntimeException e) {
      listener.onError(translate("ListActions", e));
    }
  }

  /** The status to answer for {@code failure}; package-private for tests. */
  static FlightRuntimeException translate(String call, RuntimeException failure) {
    if (failure instanceof FlightRuntimeException flight) {
      return flight;
    }
    log.error("Bug: {} failed unexpectedly", call, failure);
    return CallStatus.INTERNAL
        .withDescription(call + " failed unexpectedly in the coordinator: " + failure)
        .withCause(failure)
        .toRuntimeException();
  }
}
