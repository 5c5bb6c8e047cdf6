package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 framing against a scripted server: each accepted connection answers given responses. */
class HttpConnectionTest {
  /** A scripted response starting with this is written a byte at a time. */
  private static final String DRIBBLE = "<dribble>";
  private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
  private ServerSocket server;

  /** Serves connections in turn; connection i answers its requests with {@code script.get(i)}. */
  private HttpConnection serve(List<List<String>> script) throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread thread = new Thread(() -> {
      for (List<String> responses : script) {
        try (Socket socket = server.accept()) {
          InputStream in = socket.getInputStream();
          OutputStream out = socket.getOutputStream();
          socket.setTcpNoDelay(true);
          for (String response : responses) {
            requests.add(readRequest(in));
            if (response.startsWith(DRIBBLE)) { // a byte per write: lines and bodies arrive split across reads
              for (byte x : response.substring(DRIBBLE.length()).getBytes(StandardCharsets.ISO_8859_1)) {
                out.write(x);
                out.flush();
              }
            } else {
              out.write(response.getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            }
          }
        } catch (IOException e) {
          break;
        }
      }
      try {
        server.close(); // later connection attempts are refused rather than left waiting
      } catch (IOException ignored) {
        // closing anyway
      }
    });
    thread.setDaemon(true);
    thread.start();
    return new HttpConnection("127.0.0.1", server.getLocalPort());
  }

  /** Reads a request head and its Content-Length body. */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed");
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    int at = text.indexOf("Content-Length: ");
    if (at >= 0) {
      int length = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)));
      text += new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
    return text;
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void framesRequestsAndReadsContentLengthAndChunkedBodiesOnOneConnection() throws Exception {
    HttpConnection http = serve(List.of(List.of(
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Id: a\r\n\r\nhello",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n")));

    HttpConnection.Response first = http.exchange("GET", "/next", null);
    HttpConnection.Response second = http.exchange("POST", "/r", "{\"é\":1}".getBytes(StandardCharsets.UTF_8),
        "Lambda-Runtime-Function-Error-Type", "Boom");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("x-id")).isEqualTo("a");
    assertThat(first.bodyText()).isEqualTo("hello");
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.bodyText()).isEqualTo("abcde");
    assertThat(requests.poll(10, TimeUnit.SECONDS)).startsWith("GET /next HTTP/1.1\r\nHost: 127.0.0.1:");
    assertThat(requests.poll(10, TimeUnit.SECONDS))
        .startsWith("POST /r HTTP/1.1\r\n")
        .contains("\r\nLambda-Runtime-Function-Error-Type: Boom\r\n", "\r\nContent-Length: 8\r\n")
        .endsWith("\r\n\r\n{\"é\":1}");
  }

  @Test
  void reconnectsOnceWhenAKeptAliveConnectionWasClosedByTheServer() throws Exception {
    HttpConnection http = serve(List.of(
        List.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"),
        List.of("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")));

    assertThat(http.exchange("GET", "/one", null).bodyText()).isEqualTo("a");
    assertThat(http.exchange("GET", "/two", null).bodyText()).isEqualTo("until the end");
    assertThatThrownBy(() -> http.exchange("GET", "/three", null)).isInstanceOf(IOException.class);
  }

  @Test
  void aPipelinedGetGoesOutWithTheRequestBeforeItAndIsAnsweredOnTheSameConnection() throws Exception {
    HttpConnection http = serve(List.of(List.of(
        "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Id: next\r\n\r\nevent")));

    HttpConnection.Response posted = http.exchangeThenGet("POST", "/r", "{}".getBytes(StandardCharsets.UTF_8), "/next");
    HttpConnection.Response next = http.awaitPipelined();

    assertThat(posted.status()).isEqualTo(202);
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.header("x-id")).isEqualTo("next");
    assertThat(next.bodyText()).isEqualTo("event");
    assertThat(requests.poll(10, TimeUnit.SECONDS)).startsWith("POST /r HTTP/1.1\r\n").endsWith("\r\n\r\n{}");
    assertThat(requests.poll(10, TimeUnit.SECONDS)).startsWith("GET /next HTTP/1.1\r\n").doesNotContain("Content-Length");
    assertThatThrownBy(http::awaitPipelined).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPipelinedGetIsSentAgainWhenTheServerClosesBeforeAnsweringIt() throws Exception {
    HttpConnection http = serve(List.of(
        List.of("HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        List.of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"), // then closed, unannounced
        List.of("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"))); // then closed, GET unanswered

    assertThat(http.exchangeThenGet("POST", "/big", new byte[10], "/next").status()).isEqualTo(413);
    assertThat(http.awaitPipelined().bodyText()).isEqualTo("1"); // sent again, on the second connection
    assertThat(requests.poll(10, TimeUnit.SECONDS)).startsWith("POST /big ");
    assertThat(requests.poll(10, TimeUnit.SECONDS)).startsWith("GET /next ");

    // the second connection is found closed: both requests go again on a third, whose end loses the GET
    assertThat(http.exchangeThenGet("POST", "/r", new byte[1], "/next").status()).isEqualTo(202);
    assertThat(requests.poll(10, TimeUnit.SECONDS)).startsWith("POST /r ");
    assertThatThrownBy(http::awaitPipelined).isInstanceOf(IOException.class); // no server left to ask
  }

  @Test
  void readsResponsesThatArriveInPiecesOrLargerThanItsBufferOrWithAStrayCarriageReturn() throws Exception {
    String big = "x".repeat(40_000) + "end";
    HttpConnection http = serve(List.of(List.of(
        DRIBBLE + "HTTP/1.1 200 OK\r\nX-Split: across reads\r\nContent-Length: 4\r\n\r\nabcd",
        "HTTP/1.1 200 OK\r\nX-Stray: a\rb\r\nContent-Length: " + big.length() + "\r\n\r\n" + big,
        DRIBBLE + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")));

    HttpConnection.Response split = http.exchange("GET", "/1", null);
    HttpConnection.Response large = http.exchange("GET", "/2", null);
    HttpConnection.Response chunked = http.exchange("GET", "/3", null);

    assertThat(split.header("x-split")).isEqualTo("across reads");
    assertThat(split.bodyText()).isEqualTo("abcd");
    assertThat(large.header("x-stray")).isEqualTo("ab"); // as before: every CR in a head line is dropped
    assertThat(large.bodyText()).isEqualTo(big);
    assertThat(chunked.bodyText()).isEqualTo("hi");
  }

  @Test
  void aTruncatedBodyIsAnError() throws Exception {
    HttpConnection http = serve(List.of(List.of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")));

    assertThatThrownBy(() -> http.exchange("GET", "/", null)).hasMessageContaining("5 of 10 body bytes");
  }
}
