package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Hands a request's blocking part (SQLite, unzipping, file reads) from the event loop to the
 * daemon's bounded pool of platform threads. When the pool and its queue are full the request is
 * answered with {@link Failure.Unavailable} (503) instead of the connection being dropped.
 */
final class BlockingWork {
  private BlockingWork() {}

  /** The blocking part of a request: its answer, or an exception {@link ErrorResponses} turns into one. */
  interface Work {
    FullHttpResponse run() throws Exception;
  }

  /**
   * Runs {@code work} on {@code pool} and sends its answer to {@code req} (a failure as
   * {@link ErrorResponses} says, a refused pool as 503), releasing {@code req} once answered.
   */
  static void answer(Executor pool, ChannelHandlerContext ctx, FullHttpRequest req, Work work) {
    submit(pool, () -> {
      FullHttpResponse res;
      try {
        res = work.run();
      } catch (Exception e) {
        res = ErrorResponses.of(e);
      } catch (Error e) {
        // a bug or a broken installation (a class missing): the client still gets its 500, then the error goes on
        reply(ctx, req, ErrorResponses.of(e));
        throw e;
      }
      reply(ctx, req, res);
    }, busy -> reply(ctx, req, ErrorResponses.of(busy)));
  }

  /** Sends {@code res} to {@code req} and releases {@code req}. */
  static void reply(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    try {
      Responses.send(ctx, req, res);
    } finally {
      req.release();
    }
  }

  /** {@code 405} for a method the path does not take. */
  static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest req) {
    reply(ctx, req, ErrorResponses.json(HttpResponseStatus.METHOD_NOT_ALLOWED,
        Map.of("error", "MethodNotAllowed", "message", req.method() + " is not allowed on " + req.uri())));
  }

  /** Runs {@code work} on {@code pool}; if the pool refuses it, {@code refused} gets a 503 failure on the calling thread. */
  static void submit(Executor pool, Runnable work, Consumer<Failure> refused) {
    try {
      pool.execute(work);
    } catch (RejectedExecutionException e) {
      refused.accept(new Failure.Unavailable("the daemon is busy with other management requests; retry shortly"));
    }
  }
}
