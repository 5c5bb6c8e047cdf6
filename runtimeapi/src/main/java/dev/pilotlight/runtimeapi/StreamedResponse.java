package dev.pilotlight.runtimeapi;

import dev.pilotlight.model.ResponseStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.util.ArrayDeque;

/**
 * A streamed response handed to a caller that takes streams: chunks go to its subscriber as the
 * runtime's connection reads them. Every field is touched on that connection's event loop only
 * ({@link #subscribe} hops onto it), which is what keeps chunks in order without a lock.
 */
final class StreamedResponse implements ResponseStream, BodySink {
  private final Channel channel;
  private final String contentType;
  /** Chunks read before the caller subscribed. */
  private final ArrayDeque<byte[]> early = new ArrayDeque<>();
  private Subscriber subscriber;
  private boolean ended;
  private String endType;
  private byte[] endJson;

  StreamedResponse(Channel channel, String contentType) {
    this.channel = channel;
    this.contentType = contentType;
  }

  @Override
  public String contentType() {
    return contentType;
  }

  @Override
  public void subscribe(Subscriber s) {
    channel.eventLoop().execute(() -> {
      if (subscriber != null) {
        throw new IllegalStateException("a response stream has one subscriber");
      }
      subscriber = s;
      for (byte[] b; (b = early.poll()) != null; ) {
        s.chunk(b);
      }
      if (ended) {
        s.end(endType, endJson);
      }
    });
  }

  @Override
  public void pause() {
    channel.config().setAutoRead(false);
  }

  @Override
  public void resume() {
    channel.config().setAutoRead(true);
  }

  @Override
  public void chunk(ByteBuf content) {
    byte[] bytes = ByteBufUtil.getBytes(content);
    if (subscriber == null) {
      early.add(bytes);
    } else {
      subscriber.chunk(bytes);
    }
  }

  @Override
  public void end(String errorType, byte[] errorJson) {
    if (ended) {
      return;
    }
    ended = true;
    if (subscriber == null) {
      endType = errorType;
      endJson = errorJson;
    } else {
      subscriber.end(errorType, errorJson);
    }
  }
}
