package dev.pilotlight.runner;

import java.io.Closeable;
import java.io.IOException;

/**
 * The runtime side of the Lambda Runtime API ({@code /2018-06-01/runtime/…}) over one keep-alive
 * connection. Any {@link IOException} means the API is gone (or speaks something else); the runner
 * then exits, as AWS's runtimes do.
 */
final class RuntimeApiClient implements Closeable {
  private static final String BASE = "/2018-06-01/runtime";
  private static final String ERROR_CONTENT_TYPE = "application/vnd.aws.lambda.error+json";
  private static final String NEXT = BASE + "/invocation/next";

  private final HttpConnection connection;
  /** Whether a poll for the next event was sent after the last post and is not read yet. */
  private boolean pollSent;

  RuntimeApiClient(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostAndPort.length() - 1) {
      throw new IllegalArgumentException(
          "AWS_LAMBDA_RUNTIME_API: '" + hostAndPort + "' (expected: host:port)");
    }
    String host = hostAndPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostAndPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "AWS_LAMBDA_RUNTIME_API: '" + hostAndPort + "' (expected: host:port)");
    }
    this.connection = new HttpConnection(host, port);
  }

  /**
   * Opens the connection now, before the first request; a failure is left for that request to
   * report (it opens the connection again).
   */
  void connect() {
    try {
      connection.open();
    } catch (IOException e) {
      // the first exchange tries again and reports it
    }
  }

  /**
   * Blocks until the next event is available. After {@link #respondAndPoll} or {@link
   * #failAndPoll} this reads the answer to the poll they sent.
   */
  Invocation next() throws IOException {
    HttpConnection.Response r;
    if (pollSent) {
      pollSent = false;
      r = connection.awaitPipelined();
    } else {
      r = connection.exchange("GET", NEXT, null);
    }
    if (r.status() != 200) {
      throw new IOException("GET /invocation/next answered " + r.status() + ": " + r.bodyText());
    }
    String requestId = r.header("lambda-runtime-aws-request-id");
    if (requestId == null || requestId.isEmpty()) {
      throw new IOException("GET /invocation/next answered without Lambda-Runtime-Aws-Request-Id");
    }
    long deadline = 0;
    String deadlineHeader = r.header("lambda-runtime-deadline-ms");
    if (deadlineHeader != null) {
      try {
        deadline = Long.parseLong(deadlineHeader);
      } catch (NumberFormatException e) {
        throw new IOException("invalid Lambda-Runtime-Deadline-Ms: " + deadlineHeader);
      }
    }
    return new Invocation(
        requestId,
        deadline,
        r.header("lambda-runtime-invoked-function-arn"),
        r.header("lambda-runtime-trace-id"),
        r.header("lambda-runtime-client-context"),
        r.header("lambda-runtime-cognito-identity"),
        r.body());
  }

  /** Posts a result; returns the status (202 when accepted, 4xx when the API refused it). */
  int respond(String requestId, byte[] body) throws IOException {
    return connection
        .exchange("POST", BASE + "/invocation/" + requestId + "/response", body, "Content-Type", "application/json")
        .status();
  }

  /**
   * Posts a result and, in the same write, polls for the next event (HTTP/1.1 pipelining: the
   * daemon reads both with one wake-up); {@link #next} then reads the event. Returns the post's status.
   */
  int respondAndPoll(String requestId, byte[] body) throws IOException {
    int status = connection
        .exchangeThenGet("POST", BASE + "/invocation/" + requestId + "/response", body, NEXT, withOutputCounts("Content-Type", "application/json"))
        .status();
    pollSent = true;
    return status;
  }

  /**
   * Posts a function error in Lambda's {@code {errorMessage, errorType, stackTrace}} shape, polling
   * for the next event in the same write as {@link #respondAndPoll} does.
   */
  int failAndPoll(String requestId, String errorType, byte[] body) throws IOException {
    int status = connection
        .exchangeThenGet("POST", BASE + "/invocation/" + requestId + "/error", body, NEXT, withOutputCounts(errorHeaders(errorType)))
        .status();
    pollSent = true;
    return status;
  }

  /** {@code headers} and, when the runner counts its output, {@link OutputCounts#HEADER} (flushing stdout and stderr first). */
  private static String[] withOutputCounts(String... headers) {
    String counts = OutputCounts.header();
    if (counts == null) {
      return headers;
    }
    String[] all = java.util.Arrays.copyOf(headers, headers.length + 2);
    all[headers.length] = OutputCounts.HEADER;
    all[headers.length + 1] = counts;
    return all;
  }

  private static String[] errorHeaders(String errorType) {
    return new String[] {"Content-Type", ERROR_CONTENT_TYPE, "Lambda-Runtime-Function-Error-Type", errorType};
  }

  /** Reports that the function could not be initialised; the runner exits afterwards. */
  int failInit(String errorType, byte[] body) throws IOException {
    return connection.exchange("POST", BASE + "/init/error", body, errorHeaders(errorType)).status();
  }

  @Override
  public void close() {
    connection.close();
  }
}
