package dev.pilotlight.activation.async;

import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.Destination;
import java.time.Instant;

/**
 * Sends what the dispatcher decided an event's outcome must reach: an invocation record to an
 * {@code onSuccess} or {@code onFailure} destination, the payload to a {@code deadLetter} target.
 * The dispatcher decides when and with which condition; an implementation decides the record's
 * form and the transport. Called on the dispatcher's thread, before the event leaves the queue.
 */
@FunctionalInterface
public interface Destinations {
  /** A daemon with no destinations: every send fails, so its event is kept as a failure. */
  Destinations NONE = (to, delivery) -> {
    throw new IllegalStateException("this daemon sends to no destination");
  };

  /** What an event's outcome is sent as. */
  enum Kind {
    /** The invocation record of an event that succeeded. */
    ON_SUCCESS("on-success destination"),
    /** The invocation record of an event given up on. */
    ON_FAILURE("on-failure destination"),
    /** The payload of an event given up on, with its request id and error as attributes. */
    DEAD_LETTER("dead-letter target");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * One send.
   *
   * @param condition Lambda's: {@code Success}, {@code RetriesExhausted} or {@code EventAgeExceeded}
   * @param invokeCount how many times the function ran for the event (Lambda's {@code approximateInvokeCount})
   * @param outcome the last attempt's outcome (its response or error document), or a {@link Outcome.Gone} when no attempt ran
   */
  record Delivery(Kind kind, AsyncEvent event, String condition, int invokeCount, Outcome outcome, Instant at) {}

  /**
   * Returns once {@code to} has the delivery durably (in a function's event queue, confirmed by a
   * broker); throws with the reason otherwise.
   *
   * @return a short description of where it went (e.g. the new event's request id), for the function's log
   */
  String send(Destination to, Delivery delivery) throws Exception;
}
