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
import java.net.InetSocketAddress;

/**
 * Opens Runtime API endpoints. Every instance gets its own endpoint on its own loopback port, so
 * the port alone tells which instance is calling, and {@code AWS_LAMBDA_RUNTIME_API} is the plain
 * {@code host:port} that AWS's runtimes expect.
 */
public final class RuntimeApiServer implements AutoCloseable {
  /** Lambda's limit for a synchronous response payload. */
  public static final int MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

  private final EventLoopGroup group;
  private final boolean ownsGroup;

  private RuntimeApiServer(EventLoopGroup group, boolean ownsGroup) {
    this.group = group;
    this.ownsGroup = ownsGroup;
  }

  /** A server with its own single event loop thread. */
  public static RuntimeApiServer create() {
    return new RuntimeApiServer(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), true);
  }

  /** A server sharing the caller's event loops (the caller shuts them down). */
  public static RuntimeApiServer create(EventLoopGroup group) {
    return new RuntimeApiServer(group, false);
  }

  /** Binds a new endpoint on 127.0.0.1 and an ephemeral port. */
  public RuntimeApiEndpoint open(String instanceId) {
    RuntimeApiEndpoint endpoint = new RuntimeApiEndpoint(instanceId);
    Channel channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 16)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(),
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
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
