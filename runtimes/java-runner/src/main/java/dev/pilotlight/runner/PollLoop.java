package dev.pilotlight.runner;

import java.io.IOException;

/**
 * One next → invoke → response loop on its own Runtime API connection. It ends only when the API
 * is lost; the function's failures are reported and the loop goes on.
 */
final class PollLoop {
  private final RuntimeApiClient api;
  private final FunctionHandler handler;

  PollLoop(RuntimeApiClient api, FunctionHandler handler) {
    this.api = api;
    this.handler = handler;
  }

  /** Serves events until the Runtime API connection fails; returns that failure. */
  IOException runUntilConnectionLost() {
    try {
      while (true) {
        Invocation invocation = api.next();
        FunctionHandler.Outcome outcome = handler.run(invocation);
        // the answer and the next poll leave in one write (see RuntimeApiClient.respondAndPoll)
        int status =
            outcome.failed()
                ? api.failAndPoll(invocation.requestId(), outcome.errorType(), outcome.body())
                : api.respondAndPoll(invocation.requestId(), outcome.body());
        if (status != 202) {
          // e.g. 413 for a response over the payload limit: the API has failed the invocation itself
          System.err.println("pilotlight-java-runner: the Runtime API answered " + status + " to the "
              + (outcome.failed() ? "error" : "response") + " of request " + invocation.requestId());
        }
      }
    } catch (IOException e) {
      api.close();
      return e;
    }
  }
}
