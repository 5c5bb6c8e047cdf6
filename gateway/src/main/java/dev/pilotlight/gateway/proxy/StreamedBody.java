package dev.pilotlight.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * A request body on its way from a client to an instance while it is still arriving: each part is
 * written to the instance connection as it comes. The daemon holds no more than what Netty already
 * read: while there is no instance connection yet (a cold start, a wait for a free connection) the
 * parts read so far wait here and the client is not read; while the instance connection's buffer
 * is full the client is not read either, so a fast client uploading to a slow app fills its own
 * socket buffers, not the daemon's memory.
 *
 * <p>Runs on the client connection's event loop; {@link #abandon} may be called from any thread,
 * and the flags are read by the relay on the instance connection's loop.
 */
public final class StreamedBody {
  private final Channel client;
  private ArrayDeque<HttpContent> early; // parts read before the instance connection was there (made for the first)

  private Channel backend;
  private boolean dropping; // the exchange is over: what still comes is read and dropped
  private volatile boolean received; // the last part came from the client
  private volatile boolean sent; // the last part was written to the instance
  private boolean endSent; // a body-less request's end went with its head: the client's own end is not sent again
  private volatile boolean clientGone;

  /** @param client the connection the parts come from, paused and resumed here */
  public StreamedBody(Channel client) {
    this.client = client;
  }

  /** The body of an aggregated request, whole (its content owned from now on). */
  public static StreamedBody whole(Channel client, FullHttpRequest req) {
    StreamedBody body = new StreamedBody(client);
    body.offer(new DefaultLastHttpContent(req.content()));
    return body;
  }

  /** The next part from the client; this body owns it. */
  public void offer(HttpContent part) {
    if (part instanceof LastHttpContent) {
      received = true;
    }
    if (dropping || endSent) {
      part.release();
      return;
    }
    if (backend == null) {
      if (early == null) {
        early = new ArrayDeque<>(2);
      }
      early.add(part);
      if (!received) {
        client.config().setAutoRead(false); // nowhere to send more yet
      }
      return;
    }
    write(part);
  }

  /**
   * Sends {@code head} and the parts read so far on {@code backend}, then each part as it comes.
   * A request that declared no body ({@code noBody}) goes whole at once: see {@link #sendWhole};
   * so it goes again, on another connection, when the one it went out on closed on it.
   * False (nothing sent) if the client went away meanwhile.
   */
  boolean attach(Channel backend, HttpRequest head, boolean noBody) {
    if (clientGone) {
      return false;
    }
    this.backend = backend;
    sent = false; // (again: what was sent went to a connection given up)
    if (noBody && earlyPartsEmpty()) {
      sendWhole(head);
    } else {
      backend.write(head);
      for (HttpContent part; early != null && (part = early.poll()) != null; ) {
        write(part);
      }
      backend.flush();
    }
    if (!received && backend.isWritable()) {
      client.config().setAutoRead(true);
    }
    return true;
  }

  private boolean earlyPartsEmpty() {
    if (early != null) {
      for (HttpContent part : early) {
        if (part.content().isReadable()) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A request without a body goes as its head and its end in one task on the connection's loop,
   * whether or not the client's end has come: no answer can be read there between the two, which
   * would find the request unfinished and close a connection that could serve the next one (the
   * client's loop and the connection's may differ). The client's own end, which carries nothing,
   * is dropped when it comes.
   */
  private void sendWhole(HttpRequest head) {
    endSent = true;
    for (HttpContent part; early != null && (part = early.poll()) != null; ) {
      part.release();
    }
    Channel to = backend;
    if (to.eventLoop().inEventLoop()) {
      writeWhole(to, head);
    } else {
      to.eventLoop().execute(() -> writeWhole(to, head));
    }
  }

  private void writeWhole(Channel to, HttpRequest head) {
    to.write(head);
    to.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> markSent(f.isSuccess()));
  }

  /**
   * Only ever set, never cleared by a write: a failed write on a connection given up for a second
   * send may complete after that send's own write succeeded (the two connections' loops may differ).
   */
  private void markSent(boolean success) {
    if (success) {
      sent = true;
    }
  }

  private void write(HttpContent part) {
    boolean last = part instanceof LastHttpContent;
    ChannelFuture written = backend.writeAndFlush(part);
    if (last) {
      written.addListener(f -> markSent(f.isSuccess()));
    } else if (!backend.isWritable()) {
      // Backpressure: read no more from the client until this part is out.
      client.config().setAutoRead(false);
      written.addListener(f -> {
        if (!received) {
          client.config().setAutoRead(true);
        }
      });
    }
  }

  /** The exchange ended (answered early, failed, timed out): the parts still to come are dropped. */
  public void abandon() {
    if (client.eventLoop().inEventLoop()) {
      drop();
    } else {
      client.eventLoop().execute(this::drop);
    }
  }

  /** The client's connection closed before the last part: the instance connection is closed too if the body was on its way. */
  public void clientGone() {
    clientGone = true;
    drop();
    if (backend != null && !sent) {
      backend.close();
    }
  }

  private void drop() {
    dropping = true;
    for (HttpContent part; early != null && (part = early.poll()) != null; ) {
      part.release();
    }
    if (!received) {
      client.config().setAutoRead(true); // read the rest to drop it (the answer closes the connection)
    }
  }

  /** True once the last part came from the client. */
  public boolean received() {
    return received;
  }

  /** True once the last part was written to the instance. */
  boolean sent() {
    return sent;
  }

  boolean clientHasGone() {
    return clientGone;
  }
}
