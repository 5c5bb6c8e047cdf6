package dev.pilotlight.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pace of new connections to an instance, against a listening socket that never accepts (an
 * app still starting): only {@link InstanceConnections#MAX_UNPROVEN} connections are opened, the
 * other requests wait; each answered request lets the next waiting one have a connection.
 */
class InstanceConnectionsTest {
  EventLoopGroup group;
  ServerSocket app;
  InstanceConnections connections;
  final AtomicLong nanos = new AtomicLong(); // the pool's clock

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // listens, never accepts
    connections = new InstanceConnections(new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {}
        }).remoteAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), app.getLocalPort())), nanos::get);
  }

  @AfterEach
  void stop() throws Exception {
    connections.close();
    app.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private List<Future<Channel>> acquire(int n) {
    List<Future<Channel>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(connections.acquire(group.next().newPromise()));
    }
    return all;
  }

  @Test
  void aBurstOpensOnlyAFewConnectionsAndTheRestWaitForThem() throws Exception {
    List<Future<Channel>> requests = acquire(10);
    for (int i = 0; i < InstanceConnections.MAX_UNPROVEN; i++) {
      assertThat(requests.get(i).await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(requests.get(i).isSuccess()).as(String.valueOf(requests.get(i).cause())).isTrue();
    }
    assertThat(connections.unproven()).isEqualTo(InstanceConnections.MAX_UNPROVEN);
    assertThat(connections.waiting()).isEqualTo(10 - InstanceConnections.MAX_UNPROVEN);
    assertThat(requests.subList(InstanceConnections.MAX_UNPROVEN, 10)).noneMatch(Future::isDone);

    // an answered request proves its connection: it goes to the next waiting request, and one more may open
    Channel first = requests.get(0).getNow();
    connections.release(first, true);
    Future<Channel> fifth = requests.get(4);
    assertThat(fifth.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(fifth.getNow()).isSameAs(first);
    Future<Channel> sixth = requests.get(5);
    assertThat(sixth.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(sixth.getNow()).isNotSameAs(first);
    assertThat(connections.unproven()).isEqualTo(InstanceConnections.MAX_UNPROVEN);
    assertThat(connections.waiting()).isEqualTo(4);

    // a connection that failed (timeout, bad answer) is closed and makes room for another
    Channel second = requests.get(1).getNow();
    connections.release(second, false);
    assertThat(second.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(requests.get(6).await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(requests.get(6).getNow()).isNotSameAs(second);
    assertThat(connections.waiting()).isEqualTo(3);

    // the instance goes: those still waiting fail
    connections.close();
    for (Future<Channel> f : requests.subList(7, 10)) {
      assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(f.isSuccess()).isFalse();
    }
  }

  @Test
  void anIdleProvenConnectionIsReusedWithoutOpeningAnother() throws Exception {
    Future<Channel> one = acquire(1).getFirst();
    assertThat(one.await(5, TimeUnit.SECONDS)).isTrue();
    connections.release(one.getNow(), true);
    assertThat(connections.unproven()).isZero();
    Future<Channel> again = acquire(1).getFirst();
    assertThat(again.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(again.getNow()).isSameAs(one.getNow());
    assertThat(connections.unproven()).isZero();
  }

  @Test
  void aFreshAcquireLeavesTheIdleConnectionsAndOpensANewOne() throws Exception {
    Future<Channel> one = acquire(1).getFirst();
    assertThat(one.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(InstanceConnections.reused(one.getNow())).as("a new connection").isFalse();
    connections.release(one.getNow(), true);
    Future<Channel> fresh = connections.acquireFresh(group.next().newPromise());
    assertThat(fresh.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(fresh.getNow()).isNotSameAs(one.getNow());
    assertThat(InstanceConnections.reused(fresh.getNow())).isFalse();
    assertThat(connections.unproven()).isEqualTo(1);
    Future<Channel> again = acquire(1).getFirst(); // the idle one is still there for the others
    assertThat(again.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(again.getNow()).isSameAs(one.getNow());
    assertThat(InstanceConnections.reused(again.getNow())).isTrue();
  }

  @Test
  void aConnectionIdleLongerThanTheLimitIsClosedWhenAnotherIsGivenBack() throws Exception {
    List<Future<Channel>> two = acquire(2);
    for (Future<Channel> f : two) {
      assertThat(f.await(5, TimeUnit.SECONDS)).isTrue();
    }
    Channel old = two.get(0).getNow();
    Channel recent = two.get(1).getNow();
    connections.answering(old);
    connections.release(old, true);
    nanos.addAndGet(InstanceConnections.MAX_IDLE.toNanos()); // exactly the limit: kept
    connections.answering(recent);
    connections.release(recent, true);
    assertThat(connections.idle()).isEqualTo(2);
    assertThat(old.isOpen()).isTrue();

    Channel again = acquire(1).getFirst().await().getNow(); // the newest idle one
    assertThat(again).isSameAs(recent);
    nanos.addAndGet(1);
    connections.answering(again);
    connections.release(again, true);
    assertThat(old.closeFuture().await(5, TimeUnit.SECONDS)).as("idle past the limit: closed").isTrue();
    assertThat(connections.idle()).isEqualTo(1);
    assertThat(acquire(1).getFirst().await().getNow()).isSameAs(recent);
  }
}
