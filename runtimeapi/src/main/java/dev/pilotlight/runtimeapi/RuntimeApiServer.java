package dev.pilotlight.runtimeapi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens Runtime API endpoints. Every instance gets its own endpoint on its own loopback port, so
 * the port alone tells which instance is calling, and {@code AWS_LAMBDA_RUNTIME_API} is the plain
 * {@code host:port} that AWS's runtimes expect.
 *
 * <p>One endpoint is kept bound ahead (a spare): binding a port costs a cold start about a
 * millisecond, so {@link #open} hands out the spare and binds the next one in the background,
 * {@link #SPARE_DELAY} later (not while the cold start that took it needs the CPU). A spare that
 * anything has connected to or polled is never handed out.
 */
public final class RuntimeApiServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RuntimeApiServer.class.getName());

  /** Lambda's limit for a synchronous response payload. */
  public static final int MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

  /** How long after a spare is taken its replacement is bound. */
  static final Duration SPARE_DELAY = Duration.ofMillis(200);

  private final EventLoopGroup group;
  private final AtomicReference<RuntimeApiEndpoint> spare = new AtomicReference<>();
  private final AtomicBoolean binding = new AtomicBoolean();
  private volatile boolean closed;
  private final boolean ownsGroup;

  private RuntimeApiServer(EventLoopGroup group, boolean ownsGroup) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    // The owner check's first kernel query links its native calls (~100 ms): done now, not on the first cold start.
    Thread.ofPlatform().daemon().name("sock-diag-warm-up").start(SockDiag::warmUp);
  }

  /** A server with its own single event loop thread. */
  public static RuntimeApiServer create() {
    return new RuntimeApiServer(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), true);
  }

  /** A server sharing the caller's event loops (the caller shuts them down). */
  public static RuntimeApiServer create(EventLoopGroup group) {
    return new RuntimeApiServer(group, false);
  }

  /** An endpoint for {@code instanceId} on 127.0.0.1 and an ephemeral port: the spare if there is a pristine one, else a new one. */
  public RuntimeApiEndpoint open(String instanceId) {
    RuntimeApiEndpoint endpoint = openSpare(instanceId);
    return endpoint != null ? endpoint : bind(instanceId);
  }

  /**
   * The spare endpoint, now {@code instanceId}'s, or null if there is no pristine one. Never
   * blocks (so event-loop threads may call it); a replacement is bound in the background either way.
   */
  public RuntimeApiEndpoint openSpare(String instanceId) {
    RuntimeApiEndpoint endpoint = spare.getAndSet(null);
    if (endpoint != null && !endpoint.pristine()) {
      endpoint.close("a spare endpoint that was used before it was handed out");
      endpoint = null;
    }
    if (endpoint != null) {
      endpoint.assign(instanceId);
    }
    bindSpareLater();
    return endpoint;
  }

  private void bindSpareLater() {
    if (closed || spare.get() != null || !binding.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual().name("runtime-api-spare").start(() -> {
      try {
        Thread.sleep(SPARE_DELAY);
        if (!closed && spare.get() == null) {
          RuntimeApiEndpoint next = bind("spare");
          if (closed || !spare.compareAndSet(null, next)) {
            next.close("not needed");
          }
        }
      } catch (InterruptedException | RuntimeException e) {
        // no spare: the next open binds its own
      } finally {
        binding.set(false);
      }
    });
  }

  /** The spare's address, or null while there is none (for tests). */
  String spareAddress() {
    RuntimeApiEndpoint e = spare.get();
    return e == null ? null : e.address();
  }

  /** Whether the spare is there and untouched (for tests). */
  boolean spareIsPristine() {
    RuntimeApiEndpoint e = spare.get();
    return e != null && e.pristine();
  }

  private RuntimeApiEndpoint bind(String instanceId) {
    RuntimeApiEndpoint endpoint = new RuntimeApiEndpoint(instanceId);
    Channel channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 16)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            int owner = endpoint.ownerUid();
            if (owner >= 0) {
              int caller = PeerCredentials.uidOf(ch.remoteAddress(), ch.localAddress());
              if (caller != owner) {
                LOG.log(System.Logger.Level.WARNING, "runtime api: refused a connection to " + endpoint.address() + " from uid "
                    + (caller == PeerCredentials.UNKNOWN ? "unknown" : caller) + " (only the instance's uid " + owner + " may call it)");
                ch.close();
                return;
              }
            }
            // A runner that sends its answer and its next poll in one write (the JDK runner does) gets the
            // 202 and, when an event waits, that event in one write too: flushes made while a read is
            // being handled go out together when it ends.
            ch.pipeline().addLast(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, false),
                new HttpServerCodec(), new StreamedResponses(endpoint),
                new ResponseSizeLimit(endpoint, MAX_RESPONSE_BYTES),
                new RuntimeApiHandler(endpoint));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .syncUninterruptibly()
        .channel();
    endpoint.bound(channel);
    return endpoint;
  }

  @Override
  public void close() {
    closed = true;
    RuntimeApiEndpoint left = spare.getAndSet(null);
    if (left != null) {
      left.close("server closed");
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
