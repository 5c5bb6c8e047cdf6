package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RawHttpTest {

  private static RawHttp.Response parse(String wire) throws IOException {
    return RawHttp.read(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)), false);
  }

  @Test
  void readsAContentLengthBody() throws IOException {
    RawHttp.Response r = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\ncontent-type: text/plain\r\n\r\nHello, Ann");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("Hello, Ann");
    assertThat(r.headers()).containsEntry("Content-Type", "text/plain");
  }

  @Test
  void readsAChunkedBodyWithExtensionsAndTrailers() throws IOException {
    RawHttp.Response r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "7;ext=1\r\nHello, \r\n3\r\nAnn\r\n0\r\nX-Trailer: t\r\n\r\n");
    assertThat(r.text()).isEqualTo("Hello, Ann");
  }

  @Test
  void readsUntilCloseWithoutLengthAndNothingFor204() throws IOException {
    assertThat(parse("HTTP/1.0 200 OK\r\n\r\nall of it").text()).isEqualTo("all of it");
    assertThat(parse("HTTP/1.1 204 No Content\r\n\r\n").body()).isEmpty();
  }

  @Test
  void rejectsWhatIsNotAResponse() {
    assertThatThrownBy(() -> parse("")).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> parse("SSH-2.0-OpenSSH\r\n\r\n")).hasMessageContaining("not an HTTP/1.x status line");
    assertThatThrownBy(() -> parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHe"))
        .isInstanceOf(EOFException.class);
  }

  /** A real socket: two keep-alive requests on one connection, then a {@code Connection: close} one. */
  @Test
  void keepsTheConnectionForSendAndClosesItForOnce() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread serving = Thread.ofVirtual().start(() -> serve(server, requests));
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
      try (RawHttp http = RawHttp.connect(address, Duration.ofSeconds(5))) {
        assertThat(http.send("GET", "/a?name=Ann").text()).isEqualTo("you asked /a?name=Ann");
        assertThat(http.send("DELETE", "/b").text()).isEqualTo("you asked /b");
      }
      assertThat(RawHttp.once(address, "GET", "/c", Duration.ofSeconds(5)).text()).isEqualTo("you asked /c");
      serving.interrupt();
    }
    assertThat(requests).hasSize(3);
    assertThat(requests.get(0)).startsWith("GET /a?name=Ann HTTP/1.1\r\nHost: 127.0.0.1:").doesNotContain("Connection");
    assertThat(requests.get(1)).startsWith("DELETE /b HTTP/1.1").contains("Content-Length: 0\r\n");
    assertThat(requests.get(2)).contains("Connection: close\r\n");
  }

  private static void serve(ServerSocket server, List<String> requests) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
          String head = readHead(in);
          if (head == null) {
            break;
          }
          requests.add(head);
          String target = head.split(" ")[1];
          byte[] body = ("you asked " + target).getBytes(StandardCharsets.UTF_8);
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          out.write(body);
          out.flush();
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    List<Byte> bytes = new ArrayList<>();
    StringBuilder s = new StringBuilder();
    for (int b = in.read(); b != -1; b = in.read()) {
      s.append((char) b);
      bytes.add((byte) b);
      if (s.length() >= 4 && s.substring(s.length() - 4).equals("\r\n\r\n")) {
        return s.toString();
      }
    }
    return null;
  }
}
