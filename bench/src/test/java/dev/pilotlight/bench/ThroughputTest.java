package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputTest {
  static final String WRK = """
      Running 5s test @ http://127.0.0.1:8080/
        1 threads and 100 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency     4.53ms    2.10ms  36.58ms   90.00%
          Req/Sec    18.60k     1.20k   20.10k    80.00%
        Latency Distribution
           50%    4.53ms
           75%    5.10ms
           90%    6.20ms
           99%    1.20s
        92980 requests in 5.00s, 10.20MB read
        Socket errors: connect 0, read 2, write 0, timeout 1
        Non-2xx or 3xx responses: 4
      Requests/sec:  18596.10
      Transfer/sec:      2.04MB
      """;

  @Test
  void wrksFiguresAreReadInMillisecondsWithEveryFailureCounted() {
    WrkRun r = WrkRun.parse(WRK);
    assertThat(r.requestsPerSecond()).isEqualTo(18596.10);
    assertThat(r.p50Ms()).isEqualTo(4.53);
    assertThat(r.p99Ms()).isEqualTo(1200.0);
    assertThat(r.requests()).isEqualTo(92980);
    assertThat(r.errors()).isEqualTo(7);
    assertThat(WrkRun.percentile("  50%  812.00us\n", "50%")).isEqualTo(0.812);
  }

  @Test
  void outputWithoutFiguresIsAFailureThatShowsIt() {
    assertThatThrownBy(() -> WrkRun.parse("unable to connect to 127.0.0.1:1 Connection refused")).isInstanceOf(BenchFailure.class)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void nginxProxiesToTheAppOverKeepAliveConnectionsAndWritesOnlyInItsDirectory() {
    String conf = Nginx.config(Path.of("/tmp/x"), 8081, 9000);
    assertThat(conf).contains("listen 127.0.0.1:8081;", "server 127.0.0.1:9000;", "keepalive 32;", "proxy_http_version 1.1;",
        "proxy_set_header Connection \"\";", "daemon off;", "access_log off;", "pid /tmp/x/nginx.pid;", "error_log /tmp/x/error.log");
  }

  @Test
  void theTableShowsMediansAndTheRatioToNginx() {
    List<ThroughputCommand.Run> runs = List.of(
        run("gateway: hello-http", 10, 1, 900, 2.0, 120), run("gateway: hello-http", 10, 2, 1100, 4.0, 100),
        run("gateway: hello-http", 10, 3, 1000, 3.0, 110),
        run("nginx proxy_pass: hello-http", 10, 1, 2000, 1.5, Double.NaN), run("direct: hello-http", 10, 1, 4000, 1.0, Double.NaN),
        run("netty relay: hello-http", 10, 1, 1600, 1.8, Double.NaN), run("gateway: hello-java (Lambda-style)", 10, 1, 3000, 1.0, 75));
    var m = ThroughputCommand.medians(runs).get(10).get("gateway: hello-http");
    assertThat(m).containsExactly(1000.0, 3.0, 9.0, 110.0, 110.0, 60.0, 210.0);
    String table = ThroughputCommand.table(runs, new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
    assertThat(table).contains("gateway/nginx throughput 0.50×").contains("added p50 over direct: gateway 2.00 ms, nginx 0.50 ms")
        .contains("proxy + app: gateway 170, nginx 90; whole machine: gateway 210, nginx 130")
        .contains("the bare Netty relay reaches 0.80× nginx's throughput; the gateway 0.63× the relay's; proxy CPU µs per request: gateway 110,"
            + " relay 30, nginx 30")
        .contains("hello-java: daemon CPU per Lambda-style call 75 µs = 2.5× the relay's per proxied request");
    assertThat(ThroughputCommand.proxied("netty relay: hello-http")).isTrue();
    assertThat(ThroughputCommand.proxied("direct: hello-http")).isFalse();
    assertThat(ThroughputCommand.median(new double[] {3, 1, 2, 10})).isEqualTo(2.5);
  }

  private static ThroughputCommand.Run run(String target, int c, int round, double rps, double p50, double cpu) {
    // the gateway's proxy is its daemon; nginx spends 30 µs, and the app 60 behind either
    var split = new CpuSplit.PerRequest(Double.isNaN(cpu) ? 30 : cpu, 60, Double.isNaN(cpu) ? 130 : cpu + 100);
    return new ThroughputCommand.Run(target, c, round, new WrkRun(rps, p50, p50 * 3, (long) rps * 5, 0), cpu, split);
  }

  @Test
  void aRunsCpuIsSplitBetweenTheProxyTheAppAndTheMachinePerRequest() {
    var before = new CpuSplit.Snapshot(java.util.Map.of(1L, 100L), java.util.Map.of(2L, 50L, 3L, 10L), 1_000);
    // pid 3 exited (its share is lost, not negative); pid 4 started (not counted: no reading before)
    var after = new CpuSplit.Snapshot(java.util.Map.of(1L, 130L), java.util.Map.of(2L, 110L, 4L, 500L), 1_200);
    var split = CpuSplit.between(before, after, 10_000);
    assertThat(split.proxy()).isEqualTo(30.0); // 30 ticks of 10 ms over 10,000 requests
    assertThat(split.app()).isEqualTo(60.0);
    assertThat(split.machine()).isEqualTo(200.0);
    assertThat(CpuSplit.between(before, after, 0).machine()).isNaN();
    assertThat(CpuSplit.machineTicks("cpu  10 2 30 4000 5 6 7 8 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n")).isEqualTo(10 + 2 + 30 + 6 + 7);
  }
}
