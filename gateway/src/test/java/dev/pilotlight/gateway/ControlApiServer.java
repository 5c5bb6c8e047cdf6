package dev.pilotlight.gateway;

import dev.pilotlight.activation.ActivationEvents;
import dev.pilotlight.activation.Activator;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.autoscaler.ScalingDecider;
import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.testing.MemoryCredentialStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The real gateway on port 0 with only the control API behind it, over {@code control}: instances
 * never start (a launch never completes), functions' numbers come from {@code stats}.
 */
final class ControlApiServer implements AutoCloseable {
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Activator activator;
  private final GatewayServer server;

  ControlApiServer(ControlPlane control, FunctionStats stats) {
    InstantSource clock = InstantSource.system();
    activator = new Activator((d, background, version) -> new CompletableFuture<>(), new ScalingDecider()::instancesToStart,
        ActivationEvents.NONE, clock, 100);
    FunctionInvoker invoker = new FunctionInvoker(activator, new HttpProxy(workers), stats, (f, i, r, line) -> {},
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock);
    AsyncDispatcher async = AsyncDispatcher.create(MetricsAndThrottlingComponentTest.unused(EventQueue.class),
        (f, r, p) -> CompletableFuture.failedFuture(new AssertionError()), f -> Optional.empty(), (f, r, line) -> {},
        AsyncDispatcher.Settings.defaults(), clock);
    ControlApi api = new ControlApi(control, activator, stats, invoker, async, Executors.newVirtualThreadPerTaskExecutor(), "127.0.0.1",
        new Credentials(new MemoryCredentialStore(), clock));
    GatewayHandler router = new GatewayHandler(invoker::serveUrl, api::handle, (ctx, req, path, query) -> {
      throw new AssertionError("no Lambda API call here");
    }, () -> "", new OpenAdmission(), List.of());
    server = GatewayServer.start(new GatewayConfig("127.0.0.1", 0, 1024 * 1024), boss, workers, router);
  }

  /** {@code http://127.0.0.1:PORT} */
  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    server.close();
    activator.shutdown();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
