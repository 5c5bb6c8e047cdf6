package dev.pilotlight.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an asynchronous invocation's outcome is sent: a function's {@code onSuccess} and
 * {@code onFailure} destinations and its {@code deadLetter} target, as Lambda's
 * {@code DestinationConfig} and {@code DeadLetterConfig} name them. Either another function (its
 * event queue: an asynchronous invocation of it) or a RabbitMQ queue (a persistent message,
 * confirmed by the broker). Parsed from what a manifest, a flag or the Lambda API gives.
 */
public sealed interface Destination {
  /** Lambda's ARN of a function, optionally qualified; the account and region are not checked. */
  Pattern LAMBDA_ARN = Pattern.compile("arn:aws[\\w-]*:lambda:[\\w-]*:\\d*:function:([a-z0-9][a-z0-9-]{0,62})(?::([\\w$-]{1,128}))?");
  /** A function name, optionally qualified ({@code NAME:QUALIFIER}). */
  Pattern FUNCTION = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})(?::([\\w$-]{1,128}))?");

  /** The asynchronous invocation of {@code function} ({@code $LATEST} without a qualifier) that receives the record. */
  record Function(String function, String qualifier) implements Destination {
    /** What the event queue stores as the event's function: {@code NAME} or {@code NAME:QUALIFIER}. */
    public String target() {
      return qualifier == null ? function : function + ":" + qualifier;
    }

    @Override
    public String arn() {
      return "arn:aws:lambda:us-east-1:000000000000:function:" + target();
    }
  }

  /** A RabbitMQ queue, named by the same URI as an event source's: {@code amqp://USER:PASSWORD@HOST:5672/%2F?queue=NAME}. */
  record Queue(String uri) implements Destination {
    /** The URI with its password shown as {@code ****}. */
    @Override
    public String arn() {
      return dev.pilotlight.model.source.EventSourceMapping.redact(uri);
    }
  }

  /** How Lambda's API and the function's log show it: a function's ARN, a queue's URI without its password. */
  String arn();

  /**
   * Parses {@code value} for the setting {@code key} of function {@code owner}.
   *
   * @throws Failure.InvalidInput naming the key, the value and what is accepted
   */
  static Destination parse(String key, String value, String owner) {
    String v = value == null ? "" : value.strip();
    Matcher arn = LAMBDA_ARN.matcher(v);
    Matcher name = FUNCTION.matcher(v);
    Destination d;
    if (arn.matches()) {
      d = new Function(arn.group(1), arn.group(2));
    } else if (name.matches()) {
      d = new Function(name.group(1), name.group(2));
    } else if (v.startsWith("arn:")) {
      String service = v.split(":", 4).length > 2 ? v.split(":", 4)[2] : "?";
      throw new Failure.InvalidInput(key + ": '" + value + "' (Pilotlight has no " + service.toUpperCase(java.util.Locale.ROOT)
          + "; expected: a function (NAME or its Lambda ARN) or a RabbitMQ queue (amqp://USER:PASSWORD@HOST:5672/%2F?queue=NAME))");
    } else {
      d = new Queue(checkedQueue(key, v));
    }
    if (d instanceof Function f && f.function().equals(owner)) {
      throw new Failure.InvalidInput(key + ": '" + value + "' (a function cannot be its own destination: each record it sent "
          + "would make another)");
    }
    return d;
  }

  private static String checkedQueue(String key, String v) {
    String expected = " (expected: a function (NAME or its Lambda ARN) or a RabbitMQ queue (amqp://USER:PASSWORD@HOST:5672/%2F?queue=NAME, "
        + "amqps:// for TLS))";
    URI u;
    try {
      u = new URI(v);
    } catch (URISyntaxException e) {
      throw new Failure.InvalidInput(key + ": '" + v + "'" + expected);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme();
    if (!scheme.equals("amqp") && !scheme.equals("amqps") && !scheme.equals("rabbitmq") && !scheme.equals("rabbitmqs")) {
      throw new Failure.InvalidInput(key + ": '" + v + "'" + expected);
    }
    if (u.getHost() == null) {
      throw new Failure.InvalidInput(key + ": '" + v + "' has no host" + expected);
    }
    String query = u.getRawQuery() == null ? "" : u.getRawQuery();
    boolean named = false;
    for (String part : query.split("&")) {
      named |= part.startsWith("queue=") && part.length() > "queue=".length();
    }
    if (!named) {
      throw new Failure.InvalidInput(key + ": '" + v + "' names no queue" + expected);
    }
    return v;
  }
}
