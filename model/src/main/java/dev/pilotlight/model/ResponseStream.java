package dev.pilotlight.model;

/**
 * A response a function streams (Lambda's response streaming: the runtime posts its
 * {@code /response} with {@code Lambda-Runtime-Function-Response-Mode: streaming}): its body as
 * the runtime sends it, chunk by chunk, then how it ended. Nothing is held whole.
 */
public interface ResponseStream {
  /** The {@code Content-Type} the runtime gave the stream ({@code application/octet-stream} when it gave none). */
  String contentType();

  /**
   * Starts delivery to {@code subscriber}; call once. Chunks that came before are delivered first;
   * every call comes on one thread, in order, and {@link Subscriber#end} exactly once, last.
   */
  void subscribe(Subscriber subscriber);

  /** Stops reading from the function until {@link #resume} (the reader cannot keep up). */
  void pause();

  void resume();

  /** What a stream is delivered to. */
  interface Subscriber {
    void chunk(byte[] bytes);

    /**
     * The stream ended: completely when {@code errorType} is null, else the function failed
     * mid-stream and {@code errorJson} is its {@code {errorMessage, errorType}} document.
     */
    void end(String errorType, byte[] errorJson);
  }
}
