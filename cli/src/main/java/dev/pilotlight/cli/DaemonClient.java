package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A small client for the daemon's native API over {@link HttpURLConnection} (java.net.http costs
 * hundreds of milliseconds of start-up, which a CLI pays on every call). Error statuses become
 * {@link CliFailure.ApiError}; a daemon that does not answer becomes {@link CliFailure.Unreachable}.
 */
final class DaemonClient {

  private static final int CONNECT_TIMEOUT_MS = 5_000;
  /** For metadata calls; deploys, invocations and log streams wait as long as the daemon needs. */
  static final int READ_TIMEOUT_MS = 60_000;
  static final int NO_TIMEOUT = 0;

  private final String baseUrl;
  private final String token;

  /** @param token the bearer token sent with every call; null sends none */
  DaemonClient(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  String baseUrl() {
    return baseUrl;
  }

  /** The API path of a function, with the name percent-encoded. */
  static String functionPath(String name) {
    return "/api/v1/functions/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GETs a JSON document. */
  JsonNode getJson(String path) {
    return Json.parse(ok(call("GET", path, null, READ_TIMEOUT_MS)).body());
  }

  /** PUTs a zip file, streamed with its length known in advance, and returns the JSON answer. */
  JsonNode putZip(String path, Path zip) {
    return Json.parse(ok(call("PUT", path, Body.ofFile(zip, "application/zip"), NO_TIMEOUT)).body());
  }

  /** Sends a request and throws {@link CliFailure.ApiError} on an error status. */
  Response send(String method, String path, Body body, int readTimeoutMs) {
    return ok(call(method, path, body, readTimeoutMs));
  }

  /** Sends a request and returns any answer, error statuses included. */
  Response call(String method, String path, Body body, int readTimeoutMs) {
    HttpURLConnection c = open(method, path, body, readTimeoutMs);
    try {
      IOException writeFailure = null;
      if (body != null) {
        try (OutputStream o = c.getOutputStream()) {
          body.writeTo(o);
        } catch (IOException e) {
          // The daemon may answer (413, 400) and close before reading everything; its answer
          // explains more than the broken pipe, so try to read it first.
          writeFailure = e;
        }
      }
      int status;
      try {
        status = c.getResponseCode();
      } catch (IOException e) {
        throw lost(writeFailure != null ? writeFailure : e);
      }
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] bytes = in == null ? new byte[0] : readAll(in);
      return new Response(status, headers(c), bytes);
    } catch (IOException e) {
      throw lost(e);
    } finally {
      c.disconnect();
    }
  }

  /** GETs a text stream and hands each line to {@code sink} as soon as it arrives. */
  void streamLines(String path, Consumer<String> sink) {
    HttpURLConnection c = open("GET", path, null, NO_TIMEOUT);
    try {
      int status = c.getResponseCode();
      if (status >= 400) {
        InputStream err = c.getErrorStream();
        ok(new Response(status, headers(c), err == null ? new byte[0] : readAll(err)));
      }
      try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          sink.accept(line);
        }
      }
    } catch (IOException e) {
      throw lost(e);
    } finally {
      c.disconnect();
    }
  }

  private HttpURLConnection open(String method, String path, Body body, int readTimeoutMs) {
    HttpURLConnection c;
    try {
      c = (HttpURLConnection) URI.create(baseUrl + path).toURL().openConnection();
      c.setRequestMethod(method);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliFailure.Usage("cannot use '" + baseUrl + path + "' as a URL: " + e.getMessage());
    }
    c.setConnectTimeout(CONNECT_TIMEOUT_MS);
    c.setReadTimeout(readTimeoutMs);
    c.setUseCaches(false);
    c.setRequestProperty("User-Agent", "pilotlight-cli");
    if (token != null) {
      c.setRequestProperty("Authorization", "Bearer " + token);
    }
    if (body != null) {
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", body.contentType());
      // Streaming mode also stops HttpURLConnection from silently re-sending a POST (an invocation).
      c.setFixedLengthStreamingMode(body.length());
    }
    try {
      c.connect();
    } catch (ConnectException e) {
      throw new CliFailure.Unreachable(baseUrl, "connection refused");
    } catch (UnknownHostException e) {
      throw new CliFailure.Unreachable(baseUrl, "unknown host " + e.getMessage());
    } catch (NoRouteToHostException e) {
      throw new CliFailure.Unreachable(baseUrl, "no route to host");
    } catch (SocketTimeoutException e) {
      throw new CliFailure.Unreachable(baseUrl, "connection timed out");
    } catch (IOException e) {
      throw new CliFailure.Unreachable(baseUrl, String.valueOf(e.getMessage()));
    }
    return c;
  }

  private Response ok(Response r) {
    if (r.status() < 400) {
      return r;
    }
    String code = null;
    String message = null;
    JsonNode error = Json.tryParse(r.body());
    if (error != null && error.hasNonNull("message")) {
      message = error.get("message").asText();
      code = error.hasNonNull("error") ? error.get("error").asText() : null;
    }
    if (message == null) {
      String text = new String(r.body(), StandardCharsets.UTF_8).strip();
      int eol = text.indexOf('\n');
      text = eol < 0 ? text : text.substring(0, eol);
      text = text.length() > 200 ? text.substring(0, 200) + "…" : text;
      message = "the daemon answered HTTP " + r.status() + (text.isEmpty() ? "" : ": " + text);
    }
    if (r.status() == 401) {
      message += token == null
          ? " — no token found: set PILOTLIGHT_TOKEN, or run as the daemon's user on its machine (the CLI reads admin.token from "
              + "$PILOTLIGHT_DATA_DIR, else ~/.pilotlight)"
          : " — the token sent (from PILOTLIGHT_TOKEN or the data dir's admin.token) was refused";
    }
    String retryAfter = r.header("Retry-After");
    if (retryAfter != null) {
      message += " (retry after " + retryAfter + " s)";
    }
    throw new CliFailure.ApiError(r.status(), code, message);
  }

  private CliFailure lost(IOException e) {
    return new CliFailure.Failed("lost the connection to the daemon at " + baseUrl + ": " + e, e);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private static Map<String, String> headers(HttpURLConnection c) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> e : c.getHeaderFields().entrySet()) {
      if (e.getKey() != null && !e.getValue().isEmpty()) {
        headers.put(e.getKey(), e.getValue().getFirst());
      }
    }
    return headers;
  }

  /** A request body with a length known before it is sent. */
  interface Body {
    String contentType();

    long length();

    void writeTo(OutputStream out) throws IOException;

    static Body of(byte[] bytes, String contentType) {
      return new Body() {
        @Override
        public String contentType() {
          return contentType;
        }

        @Override
        public long length() {
          return bytes.length;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          out.write(bytes);
        }
      };
    }

    static Body ofFile(Path file, String contentType) {
      return new Body() {
        @Override
        public String contentType() {
          return contentType;
        }

        @Override
        public long length() {
          try {
            return Files.size(file);
          } catch (IOException e) {
            throw new CliFailure.Failed("cannot read " + file + ": " + e.getMessage(), e);
          }
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          Files.copy(file, out);
        }
      };
    }
  }

  /** A complete answer; header names are case-insensitive. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
