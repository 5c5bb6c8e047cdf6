package dev.pilotlight.executor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Plays a runtime's first {@code GET /next}, which makes a Lambda-style instance ready. */
final class RuntimeApiPolls {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final Pattern ADDRESS = Pattern.compile("\"AWS_LAMBDA_RUNTIME_API\":\"([^\"]+)\"");

  private RuntimeApiPolls() {}

  /** Polls {@code /next} at {@code address} ({@code host:port}); the answer (an event) never comes, and is not needed. */
  static void next(String address) {
    CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://" + address + "/2018-06-01/runtime/invocation/next")).build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** The Runtime API address in a pool runner's environment line. */
  static String addressIn(String environmentLine) {
    Matcher m = ADDRESS.matcher(environmentLine);
    if (!m.find()) {
      throw new AssertionError("no AWS_LAMBDA_RUNTIME_API in " + environmentLine);
    }
    return m.group(1);
  }
}
