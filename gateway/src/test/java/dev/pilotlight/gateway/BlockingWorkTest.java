package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class BlockingWorkTest {

  @Test
  void runsTheWorkOnThePool() {
    List<Runnable> queued = new ArrayList<>();
    List<Failure> refused = new ArrayList<>();
    boolean[] ran = {false};
    BlockingWork.submit(queued::add, () -> ran[0] = true, refused::add);
    assertThat(queued).hasSize(1);
    assertThat(ran[0]).isFalse(); // not on the caller's (event loop's) thread
    queued.getFirst().run();
    assertThat(ran[0]).isTrue();
    assertThat(refused).isEmpty();
  }

  @Test
  void aFullPoolAnswersUnavailableInsteadOfThrowingOnTheEventLoop() {
    Executor full = r -> {
      throw new RejectedExecutionException("queue full");
    };
    List<Failure> refused = new ArrayList<>();
    BlockingWork.submit(full, () -> { }, refused::add);
    assertThat(refused).singleElement().isInstanceOf(Failure.Unavailable.class)
        .extracting(Throwable::getMessage).asString().contains("busy");
    assertThat(ErrorResponses.of(refused.getFirst()).status().code()).isEqualTo(503);
  }

  @Test
  void workThatThrowsAnErrorIsStillAnsweredThenTheErrorGoesOn() {
    var channel = new io.netty.channel.embedded.EmbeddedChannel(new io.netty.channel.ChannelInboundHandlerAdapter());
    var ctx = channel.pipeline().firstContext();
    var req = new io.netty.handler.codec.http.DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
        io.netty.handler.codec.http.HttpMethod.GET, "/api/v1/functions");
    List<Runnable> queued = new ArrayList<>();
    BlockingWork.answer(queued::add, ctx, req, () -> {
      throw new NoClassDefFoundError("a class of a broken installation");
    });
    org.assertj.core.api.Assertions.assertThatThrownBy(queued.getFirst()::run).isInstanceOf(NoClassDefFoundError.class);
    channel.runPendingTasks();
    io.netty.handler.codec.http.FullHttpResponse res = channel.readOutbound();
    assertThat(res.status().code()).isEqualTo(500);
    assertThat(req.refCnt()).isZero();
    res.release();
  }
}
