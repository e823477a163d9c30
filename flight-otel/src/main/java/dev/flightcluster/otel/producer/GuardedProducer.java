package dev.flightcluster.otel.producer;

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
 * The one error policy of the cluster's Flight services (coordinator and data server). Flight
 * reports any exception that is not a {@link FlightRuntimeException} as UNKNOWN, which tells the
 * caller nothing; the delegate chooses a precise status wherever it understands an error (a
 * caller's mistake, a missing dataset, a full server), so anything else is a bug: it is logged with
 * its stack trace and answered as INTERNAL. No status is ever picked by reading a message.
 *
 * <p>Work a producer hands to threads of its own (a data server's DoGet stream) is outside this
 * wrapper: it reports its unexpected failures through {@link #translate} itself.
 */
public final class GuardedProducer implements FlightProducer {
  private static final Logger log = LoggerFactory.getLogger(GuardedProducer.class);

  private final String service;
  private final FlightProducer delegate;

  /**
   * @param service what the delegate is, for the INTERNAL description: "coordinator", "data server"
   */
  public GuardedProducer(String service, FlightProducer delegate) {
    this.service = requireNonNull(service, "service is null");
    this.delegate = requireNonNull(delegate, "delegate is null");
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    try {
      delegate.getStream(context, ticket, listener);
    } catch (RuntimeException e) {
      listener.error(translate(service, "DoGet", e));
    }
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      delegate.listFlights(context, criteria, listener);
    } catch (RuntimeException e) {
      listener.onError(translate(service, "ListFlights", e));
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      return delegate.getFlightInfo(context, descriptor);
    } catch (RuntimeException e) {
      throw translate(service, "GetFlightInfo", e);
    }
  }

  @Override
  public PollInfo pollFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      return delegate.pollFlightInfo(context, descriptor);
    } catch (RuntimeException e) {
      throw translate(service, "PollFlightInfo", e);
    }
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    try {
      return delegate.getSchema(context, descriptor);
    } catch (RuntimeException e) {
      throw translate(service, "GetSchema", e);
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
          throw translate(service, "DoPut", e);
        }
      };
    } catch (RuntimeException e) {
      throw translate(service, "DoPut", e);
    }
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    try {
      delegate.doExchange(context, reader, writer);
    } catch (RuntimeException e) {
      throw translate(service, "DoExchange", e);
    }
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    try {
      delegate.doAction(context, action, listener);
    } catch (RuntimeException e) {
      listener.onError(translate(service, "DoAction " + action.getType(), e));
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    try {
      delegate.listActions(context, listener);
    } catch (RuntimeException e) {
      listener.onError(translate(service, "ListActions", e));
    }
  }

  /**
   * The status to answer for {@code failure} of {@code call} in {@code service}: a Flight error as
   * it is, anything else INTERNAL (logged as a bug).
   */
  public static FlightRuntimeException translate(String service, String call, Throwable failure) {
    if (failure instanceof FlightRuntimeException flight) {
      return flight;
    }
    log.error("Bug: {} failed unexpectedly in the {}", call, service, failure);
    return CallStatus.INTERNAL
        .withDescription(call + " failed unexpectedly in the " + service + ": " + failure)
        .withCause(failure)
        .toRuntimeException();
  }
}
