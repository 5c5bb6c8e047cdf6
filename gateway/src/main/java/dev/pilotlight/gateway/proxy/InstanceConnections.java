package dev.pilotlight.gateway.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Keep-alive connections to one {@code http} instance, opened no faster than the app can take them.
 *
 * <p>A connection is <em>unproven</em> from the moment it is opened until a response has come back
 * on it: until then it may still sit in the app's accept queue. At most {@link #MAX_UNPROVEN} are
 * unproven at once; a request that finds no idle connection and no room to open one waits for the
 * first connection to come free or the next one to open. So a burst that reaches a fresh instance
 * (a JVM still loading its classes, one accepting thread) does not overflow its listen backlog:
 * the kernel would drop the connections beyond it and the client would retry them a second later
 * (SYN and request retransmits). Each answered request proves its connection and lets another be
 * opened, so the pool grows to what the load needs within a few round trips.
 *
 * <p>Thread-safe: requests of any event loop acquire and release; promises complete outside the lock.
 */
final class InstanceConnections {
  /**
   * Connections opened and not yet answered on, at most. Below the smallest listen backlog in
   * common use (Python's {@code socketserver} listens with 5; the JDK's HttpServer with 50,
   * Node and nginx with 511), so no app's accept queue overflows because of the proxy.
   */
  static final int MAX_UNPROVEN = 4;

  private static final AttributeKey<Boolean> UNPROVEN = AttributeKey.valueOf("pilotlight.unproven");

  /**
   * How long a connection may sit idle before it is closed, as nginx's upstream {@code keepalive_timeout}
   * (60 s by default): a burst's connections do not hold the app's sockets (a thread each, for a
   * thread-per-connection server) for as long as the instance lives. Looked at whenever a
   * connection is given back, oldest first, so an instance with no calls at all keeps its idle
   * connections until it stops (scale-down closes them).
   */
  static final Duration MAX_IDLE = Duration.ofSeconds(60);

  private static final long MAX_IDLE_NANOS = MAX_IDLE.toNanos();

  /** When the connection last went idle (its one slot written on each release: nothing allocated per request). */
  private static final AttributeKey<long[]> IDLE_SINCE = AttributeKey.valueOf("pilotlight.idleSince");

  private final Bootstrap bootstrap;
  private final LongSupplier nanoTime;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Promise<Channel>> waiting = new ArrayDeque<>();
  private int unproven;
  private boolean closed;
  private volatile long lastAnswerNanos; // of the latest response head from the instance (at first: none yet)

  /** @param bootstrap connects to the instance (its remote address set) and sets up each new connection's pipeline */
  InstanceConnections(Bootstrap bootstrap) {
    this(bootstrap, System::nanoTime);
  }

  /** @param nanoTime the clock, {@link System#nanoTime()} but in tests */
  InstanceConnections(Bootstrap bootstrap, LongSupplier nanoTime) {
    this.bootstrap = bootstrap;
    this.nanoTime = nanoTime;
    this.lastAnswerNanos = nanoTime.getAsLong();
  }

  /** An open connection for one request (its pipeline as the bootstrap's handler made it); give it back with {@link #release}. */
  Future<Channel> acquire(Promise<Channel> promise) {
    return acquire(promise, true);
  }

  /**
   * As {@link #acquire(Promise)}, but never an idle connection: a new one (at the pace new ones may
   * be opened) or one that has just answered another request. For a request sent again after the
   * idle connection it went out on turned out to be closing ({@link RelayHandler}): the other idle
   * ones may be closing with it.
   */
  Future<Channel> acquireFresh(Promise<Channel> promise) {
    return acquire(promise, false);
  }

  /**
   * Whether {@code ch}, just acquired, has answered a request before: it came from the idle
   * connections or from a request that had just finished with it, not from a new connection.
   */
  static boolean reused(Channel ch) {
    return ch.attr(UNPROVEN).get() == null;
  }

  private Future<Channel> acquire(Promise<Channel> promise, boolean idleToo) {
    Channel ready = null;
    boolean open = false;
    synchronized (this) {
      if (closed) {
        return promise.setFailure(new IllegalStateException("the instance is gone"));
      }
      while (idleToo && (ready = idle.pollLast()) != null && !ready.isActive()) {
        // closed by the app while idle: forget it
      }
      if (ready == null) {
        if (unproven < MAX_UNPROVEN) {
          unproven++;
          open = true;
        } else {
          waiting.addLast(promise);
        }
      }
    }
    if (ready != null) {
      handOver(ready, promise);
    } else if (open) {
      open(promise);
    }
    return promise;
  }

  /**
   * Takes back a connection after its request: {@code reusable} when a whole response came back and
   * both sides keep the connection alive (it is then proven, and idles or serves a waiting request);
   * otherwise it is closed. Either way a waiting request may now get a new connection.
   */
  void release(Channel ch, boolean reusable) {
    Promise<Channel> next = null;
    List<Promise<Channel>> toOpen = new ArrayList<>();
    List<Channel> expired = null;
    boolean keep = reusable && ch.isActive();
    synchronized (this) {
      if (Boolean.TRUE.equals(ch.attr(UNPROVEN).getAndSet(null))) {
        unproven--;
      }
      if (keep && !closed) {
        next = waiting.pollFirst();
        if (next == null) {
          long now = nanoTime.getAsLong();
          ch.attr(IDLE_SINCE).get()[0] = now;
          idle.addLast(ch);
          // the oldest idle ones first: closed by the app meanwhile, or idle past MAX_IDLE
          for (Channel oldest; (oldest = idle.peekFirst()) != ch && oldest != null
              && (!oldest.isActive() || now - oldest.attr(IDLE_SINCE).get()[0] > MAX_IDLE_NANOS); ) {
            idle.pollFirst();
            if (expired == null) {
              expired = new ArrayList<>();
            }
            expired.add(oldest);
          }
        }
      }
      while (!closed && unproven < MAX_UNPROVEN && !waiting.isEmpty()) {
        unproven++;
        toOpen.add(waiting.pollFirst());
      }
    }
    if (!keep || closed && next == null) {
      ch.close();
    }
    if (next != null) {
      handOver(ch, next);
    }
    if (expired != null) {
      expired.forEach(Channel::close);
    }
    toOpen.forEach(this::open);
  }

  /**
   * A response head came back on {@code ch}: the app has accepted the connection, so it is proven
   * now, not only when the response ends (a stream or a long poll may last for minutes, and the
   * connections opened after it must not wait that long), and another may be opened for a waiting
   * request.
   */
  void answering(Channel ch) {
    lastAnswerNanos = nanoTime.getAsLong();
    if (ch.attr(UNPROVEN).get() == null) {
      return; // proven already: the usual case, no lock
    }
    List<Promise<Channel>> toOpen = new ArrayList<>();
    synchronized (this) {
      if (Boolean.TRUE.equals(ch.attr(UNPROVEN).getAndSet(null))) {
        unproven--;
      }
      while (!closed && unproven < MAX_UNPROVEN && !waiting.isEmpty()) {
        unproven++;
        toOpen.add(waiting.pollFirst());
      }
    }
    toOpen.forEach(this::open);
  }

  /** Whether the instance sent a response head on any connection after {@code nanos} ({@link System#nanoTime()}). */
  boolean answeredSince(long nanos) {
    return lastAnswerNanos - nanos > 0;
  }

  /** Closes idle connections and fails waiting requests; connections in use close when released. */
  void close() {
    List<Channel> toClose;
    List<Promise<Channel>> toFail;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(idle);
      idle.clear();
      toFail = new ArrayList<>(waiting);
      waiting.clear();
    }
    toClose.forEach(Channel::close);
    toFail.forEach(p -> p.tryFailure(new IllegalStateException("the instance is gone")));
  }

  /** Connections opened and not yet answered on; for tests. */
  synchronized int unproven() {
    return unproven;
  }

  /** Connections idle in the pool; for tests. */
  synchronized int idle() {
    return idle.size();
  }

  /** Requests waiting for a connection; for tests. */
  synchronized int waiting() {
    return waiting.size();
  }

  private void handOver(Channel ch, Promise<Channel> promise) {
    if (!promise.trySuccess(ch)) {
      release(ch, true); // the request gave up meanwhile
    }
  }

  private void open(Promise<Channel> promise) {
    bootstrap.connect().addListener((ChannelFuture f) -> {
      if (f.isSuccess()) {
        Channel ch = f.channel();
        ch.attr(UNPROVEN).set(Boolean.TRUE);
        ch.attr(IDLE_SINCE).set(new long[1]);
        handOver(ch, promise);
      } else {
        List<Promise<Channel>> toOpen = new ArrayList<>();
        synchronized (this) {
          unproven--;
        }
        promise.tryFailure(f.cause());
        synchronized (this) {
          // a failed connect frees its place for whoever waits (they fail the same way if the app is gone)
          while (!closed && unproven < MAX_UNPROVEN && !waiting.isEmpty()) {
            unproven++;
            toOpen.add(waiting.pollFirst());
          }
        }
        toOpen.forEach(this::open);
      }
    });
  }
}
