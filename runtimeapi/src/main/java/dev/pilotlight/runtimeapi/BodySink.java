package dev.pilotlight.runtimeapi;

import io.netty.buffer.ByteBuf;

/** Where the body of a streamed {@code /response} goes as the runtime sends it (called on the connection's event loop). */
interface BodySink {
  /** Reads {@code content}; the caller releases it. */
  void chunk(ByteBuf content);

  /** The body ended: completely when {@code errorType} is null, else with the runtime's error trailers. */
  void end(String errorType, byte[] errorJson);

  /** A body nobody waits for (unknown or abandoned request id): read and dropped. */
  BodySink DISCARD = new BodySink() {
    @Override
    public void chunk(ByteBuf content) {}

    @Override
    public void end(String errorType, byte[] errorJson) {}
  };
}
