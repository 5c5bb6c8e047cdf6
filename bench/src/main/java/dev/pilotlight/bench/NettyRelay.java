package dev.pilotlight.bench;

import dev.pilotlight.model.io.IoThreads;
import dev.pilotlight.model.io.LoopbackPorts;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's floor for an HTTP reverse proxy on the JVM: the least a Netty proxy does per
 * request, with nothing of Pilotlight's. Each client connection gets one keep-alive connection to the
 * app, on the same event loop; request and response are decoded and encoded again (a proxy that
 * routes by path or host must parse them) and passed on as they are, headers untouched, as the
 * benchmark's nginx passes them. No routing, pool, limits, timeouts, metrics or logs.
 *
 * <p>Its figures say what of the gateway's distance to nginx is the JVM and Netty, and what is the
 * gateway's own work. Not a proxy to use: it neither pipelines nor recovers from the app closing a
 * connection (the client's connection closes with it).
 *
 * <p>{@code java … dev.pilotlight.bench.NettyRelay PORT APP_PORT}: listens on 127.0.0.1:PORT with as many
 * event loops as the daemon runs ({@link IoThreads}: {@code PILOTLIGHT_IO_THREADS}, else half the cores).
 */
final class NettyRelay implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(20);

  private final EventLoopGroup loops;
  private final Channel server;

  private NettyRelay(EventLoopGroup loops, Channel server) {
    this.loops = loops;
    this.server = server;
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: NettyRelay PORT APP_PORT");
      System.exit(2);
    }
    NettyRelay relay = start(Integer.parseInt(args[0]), new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])),
        IoThreads.fromEnvironment());
    relay.server.closeFuture().sync();
  }

  /** Listens on 127.0.0.1:{@code port} (0: any free port) and relays to {@code app} on {@code loops} event loops. */
  static NettyRelay start(int port, InetSocketAddress app, int loops) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, NioIoHandler.newFactory());
    try {
      Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.AUTO_READ, false) // until the connection to the app is there
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new Front(app));
            }
          })
          .bind(InetAddress.getLoopbackAddress(), port).sync().channel();
      return new NettyRelay(group, server);
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully();
      throw e;
    }
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * Runs the relay in a JVM of its own, started as the daemon is ({@code bin/lib/daemon.jvm-options}),
   * so that its CPU is counted apart from everything else; its output goes to {@code log}.
   */
  static Child spawn(BenchPaths paths, int appPort, Path log) throws IOException, InterruptedException {
    int port = LoopbackPorts.freePort();
    Process p = new ProcessBuilder(paths.java().toString(), "@" + paths.root().resolve("bin/lib/daemon.jvm-options"),
        "-cp", System.getProperty("java.class.path"), NettyRelay.class.getName(), Integer.toString(port), Integer.toString(appPort))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    Listening.await(p, port, START_LIMIT, "the Netty relay did not start on port " + port + ": see " + log);
    return new Child(p, port);
  }

  /** A relay in its own process. */
  record Child(Process process, int port) implements AutoCloseable {
    ProcessHandle handle() {
      return process.toHandle();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A client connection: opens its connection to the app, then passes each message to it, flushing at the end of each request. */
  private static final class Front extends ChannelInboundHandlerAdapter {
    private final InetSocketAddress app;
    private Channel back;

    Front(InetSocketAddress app) {
      this.app = app;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel front = ctx.channel();
      new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast(new HttpClientCodec(), new Back(front));
            }
          })
          .connect(app).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
              back = f.channel();
              front.config().setAutoRead(true);
            } else {
              front.close();
            }
          });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (back == null || !back.isActive()) {
        ReferenceCountUtil.release(msg);
        ctx.close();
      } else if (msg instanceof LastHttpContent) {
        back.writeAndFlush(msg);
      } else {
        back.write(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (back != null) {
        back.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The connection to the app: passes the response to the client as it comes, flushing at its end. */
  private static final class Back extends ChannelInboundHandlerAdapter {
    private final Channel front;

    Back(Channel front) {
      this.front = front;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof LastHttpContent) {
        front.writeAndFlush(msg);
      } else {
        front.write(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      front.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
