package dev.pilotlight.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Network namespaces for daemons that must each have an address of their own (needs root and
 * iproute2): a bridge on the host with address {@code PREFIX.X.1}, and per member a namespace with
 * a veth pair, its end inside at {@code PREFIX.X.(10 + i)}, routed through the bridge. A relay on
 * the bridge's address passes TCP to a service that listens on the host's loopback only (the
 * machine's PostgreSQL), which the namespaces could not reach otherwise. Only these addresses and
 * loopback are used. Everything is removed on close. Used by {@code bench cluster} and by
 * {@code ClusterIT}.
 */
public final class NetnsNetwork implements AutoCloseable {
  private final String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xfffffL);
  private final String prefix;
  private final int subnet = 100 + ThreadLocalRandom.current().nextInt(100);
  private final String bridge;
  private final int members;
  private final List<String> made = new ArrayList<>(); // namespaces made, for close
  private final AtomicBoolean closed = new AtomicBoolean();
  private ServerSocket relay;

  private NetnsNetwork(String prefix, int members) {
    this.prefix = prefix;
    this.members = members;
    this.bridge = "plbr" + tag;
  }

  /**
   * Makes the bridge and {@code members} namespaces on {@code prefix}{@code .X.0/24} ({@code prefix}
   * two octets, e.g. {@code 10.232}), and a relay from the bridge's address to {@code relayTo}.
   */
  public static NetnsNetwork create(String prefix, int members, InetSocketAddress relayTo) throws Exception {
    NetnsNetwork n = new NetnsNetwork(prefix, members);
    try {
      n.setUp(relayTo);
    } catch (Exception e) {
      n.close();
      throw e;
    }
    return n;
  }

  private void setUp(InetSocketAddress relayTo) throws Exception {
    run("ip", "link", "add", bridge, "type", "bridge");
    run("ip", "addr", "add", hostAddress() + "/24", "dev", bridge);
    run("ip", "link", "set", bridge, "up");
    for (int i = 0; i < members; i++) {
      run("ip", "netns", "add", netns(i));
      made.add(netns(i));
      run("ip", "link", "add", hostVeth(i), "type", "veth", "peer", "name", "eth0", "netns", netns(i));
      run("ip", "link", "set", hostVeth(i), "master", bridge);
      run("ip", "link", "set", hostVeth(i), "up");
      run("ip", "-n", netns(i), "link", "set", "lo", "up");
      run("ip", "-n", netns(i), "addr", "add", address(i) + "/24", "dev", "eth0");
      run("ip", "-n", netns(i), "link", "set", "eth0", "up");
      run("ip", "-n", netns(i), "route", "add", "default", "via", hostAddress());
    }
    relay = new ServerSocket();
    relay.bind(new InetSocketAddress(InetAddress.getByName(hostAddress()), 0));
    Thread.ofVirtual().start(() -> relayLoop(relayTo));
  }

  /** Member {@code i}'s namespace: run a process in it with {@code nsenter --net=/run/netns/NAME --}. */
  public String netns(int i) {
    return "pl" + tag + "n" + i;
  }

  /** The {@code nsenter} prefix that runs a command in member {@code i}'s namespace (its mounts and /sys untouched). */
  public List<String> enter(int i) {
    return List.of("nsenter", "--net=/run/netns/" + netns(i), "--");
  }

  /** The host's end of member {@code i}'s link: set it down to cut the member off. */
  public String hostVeth(int i) {
    return "pl" + tag + "h" + i;
  }

  /** Member {@code i}'s address. */
  public String address(int i) {
    return prefix + "." + subnet + "." + (10 + i);
  }

  /** The bridge's address, on which the relay listens. */
  public String hostAddress() {
    return prefix + "." + subnet + ".1";
  }

  /** The relay's port on {@link #hostAddress()}. */
  public int relayPort() {
    return relay.getLocalPort();
  }

  /** Cuts member {@code i} off the network (its link down). */
  public void cut(int i) throws Exception {
    run("ip", "link", "set", hostVeth(i), "down");
  }

  /** Connects member {@code i} again. */
  public void reconnect(int i) throws Exception {
    run("ip", "link", "set", hostVeth(i), "up");
  }

  private void relayLoop(InetSocketAddress to) {
    while (!relay.isClosed()) {
      try {
        Socket in = relay.accept();
        Socket out = new Socket(to.getHostString(), to.getPort());
        Thread.ofVirtual().start(() -> pump(in, out));
        Thread.ofVirtual().start(() -> pump(out, in));
      } catch (IOException e) {
        if (relay.isClosed()) {
          return;
        }
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
    }
  }

  private static void quietly(String... command) {
    try {
      run(command);
    } catch (Exception ignored) {
      // clean-up of what may not exist
    }
  }

  /** Removes the namespaces, links and bridge, and stops the relay. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (int i = 0; i < members; i++) {
      quietly("ip", "netns", "del", netns(i));
      quietly("ip", "link", "del", hostVeth(i));
    }
    quietly("ip", "link", "del", bridge);
    try {
      if (relay != null) {
        relay.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
