package dev.pilotlight.executor;

import dev.pilotlight.runtimeapi.SocketOwner;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * When an {@code http} app is ready: it answers {@code GET <readinessPath>} with any HTTP status.
 * A bare TCP accept is not enough — a JVM web server binds its port some time before it can answer
 * (the first request still loads and initialises the request path) — and a 404 or 500 still proves
 * the server is serving, so it counts.
 *
 * <p>Cheap on the cold path: one blocking socket per attempt (run it on a virtual thread), a
 * request of ~100 bytes with {@code Connection: close}, and only the status line is waited for.
 * Until the port accepts, attempts are 1 ms apart, doubling to 8 ms: start-up is what a cold start
 * waits for, so checking late costs more than checking often. Once a connection is accepted the
 * request waits in the socket until the app reads it, so its answer comes the moment the app can
 * give one.
 */
final class HttpReadiness {
  /** The connect timeout of one attempt; a loopback connect is refused or accepted at once. */
  private static final int CONNECT_TIMEOUT_MS = 100;
  /** The most of the rest of a response read (and thrown away) after its status line. */
  private static final int MAX_DRAIN_BYTES = 64 * 1024;
  private static final int MAX_DRAIN_MS = 1000;
  private static final int MAX_STATUS_LINE = 1024;

  private HttpReadiness() {}

  /**
   * Probes until the app answers (true), or until {@code deadlineNanos} ({@link System#nanoTime()})
   * passes or {@code giveUp} says so (false).
   */
  static boolean await(InetSocketAddress address, String path, long deadlineNanos, BooleanSupplier giveUp)
      throws InterruptedException {
    try {
      return await(address, path, deadlineNanos, giveUp, ANY_OWNER);
    } catch (ForeignListener e) {
      throw new IllegalStateException(e); // no owner was asked for
    }
  }

  /** No owner is checked (no sandbox: the app runs as the daemon's user, as everything else it starts). */
  static final int ANY_OWNER = -1;

  /**
   * The port answers, but its listener belongs to another uid than the instance's app: another
   * process bound the port first. No answer from it may count, and no request may go there.
   */
  static final class ForeignListener extends Exception {
    ForeignListener(InetSocketAddress address, int uid, int expected) {
      super("port " + address.getPort() + " is served by a process of uid " + uid + ", not the instance's app (uid " + expected
          + "): another process bound it first; no request is sent there");
    }
  }

  /**
   * As {@link #await(InetSocketAddress, String, long, BooleanSupplier)}, counting only a listener
   * owned by {@code ownerUid} ({@link #ANY_OWNER}: any).
   *
   * @throws ForeignListener when a listener of another uid answers
   */
  static boolean await(InetSocketAddress address, String path, long deadlineNanos, BooleanSupplier giveUp, int ownerUid)
      throws InterruptedException, ForeignListener {
    long pauseMicros = 1000;
    while (!giveUp.getAsBoolean()) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (probe(address, path, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), ownerUid) > 0) {
        return true;
      }
      TimeUnit.MICROSECONDS.sleep(pauseMicros);
      pauseMicros = Math.min(pauseMicros * 2, 8000);
    }
    return false;
  }

  /**
   * One attempt: the HTTP status the app answered {@code GET path} with, or -1 when it refused the
   * connection, closed it without an answer, answered something that is not HTTP, or did not
   * answer within {@code timeoutMs}.
   */
  static int probe(InetSocketAddress address, String path, int timeoutMs) {
    try {
      return probe(address, path, timeoutMs, ANY_OWNER);
    } catch (ForeignListener e) {
      throw new IllegalStateException(e); // no owner was asked for
    }
  }

  /**
   * As {@link #probe(InetSocketAddress, String, int)}, first checking that the listener belongs to
   * {@code ownerUid} ({@link #ANY_OWNER}: any); -1 (not ready) while its owner cannot be told.
   *
   * @throws ForeignListener when it belongs to another uid
   */
  static int probe(InetSocketAddress address, String path, int timeoutMs, int ownerUid) throws ForeignListener {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(address, Math.min(CONNECT_TIMEOUT_MS, timeoutMs));
      if (ownerUid != ANY_OWNER) {
        int uid = SocketOwner.ofServerEnd(address, (InetSocketAddress) s.getLocalSocketAddress());
        if (uid != ownerUid) {
          close(s);
          if (uid == SocketOwner.UNKNOWN) {
            return -1; // the connection went before it could be asked about: try again
          }
          throw new ForeignListener(address, uid, ownerUid);
        }
      }
      s.setSoTimeout(timeoutMs);
      OutputStream out = s.getOutputStream();
      out.write(request(address, path));
      out.flush();
      // Buffered: the status line is read byte by byte, and a socket stream would make each a system call.
      InputStream in = new BufferedInputStream(s.getInputStream(), 1024);
      int status = status(in);
      if (status > 0) {
        // The status line decides; the rest of the answer is read off the cold path.
        Thread.ofVirtual().name("readiness-drain").start(() -> drainAndClose(s, in));
        return status;
      }
    } catch (IOException refusedResetOrTimedOut) {
      // not ready
    }
    close(s);
    return -1;
  }

  static byte[] request(InetSocketAddress address, String path) {
    String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    return ("GET " + path + " HTTP/1.1\r\n"
        + "Host: " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort() + "\r\n"
        + "User-Agent: pilotlight-readiness\r\n"
        + "Accept: */*\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads {@code HTTP/1.x NNN …}; -1 if the stream ends first or does not start that way. */
  private static int status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(32);
    int b;
    while ((b = in.read()) != -1 && b != '\n' && line.length() < MAX_STATUS_LINE) {
      line.append((char) b);
    }
    String l = line.toString();
    if (b != '\n' || !l.startsWith("HTTP/1.") || l.length() < 12 || l.charAt(8) != ' ') {
      return -1;
    }
    try {
      int status = Integer.parseInt(l.substring(9, 12));
      return status >= 100 && status <= 999 ? status : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Reads the rest of the answer, within limits, before closing: closing with unread data makes
   * the kernel reset the connection, which some servers log as an error.
   */
  private static void drainAndClose(Socket s, InputStream in) {
    try {
      s.setSoTimeout(MAX_DRAIN_MS);
      byte[] buf = new byte[8192];
      int total = 0;
      int n;
      while (total < MAX_DRAIN_BYTES && (n = in.read(buf)) != -1) {
        total += n;
      }
    } catch (SocketTimeoutException slowBody) {
      // the status line was enough
    } catch (IOException ignored) {
      // the app closed first: nothing left to read
    } finally {
      close(s);
    }
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
