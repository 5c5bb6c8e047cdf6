package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of the security issue, tried from inside a function on a real daemon (root, with
 * bubblewrap): each test fails if the attack works. An attacker function tries to read and rewrite
 * another function's code and environment, see and kill processes, trace, fill the disk, keep files
 * past its instance, reach the control API without a token, and take or answer another instance's
 * invocations on its Runtime API; the victim keeps answering as itself throughout.
 */
class SandboxIT {
  static DaemonFixture d;
  @TempDir
  static Path work;
  static Path data;

  static final String VICTIM = """
      import os

      def handler(event, context):
          if event.get("do") == "whoami":
              return {"runtimeApi": os.environ["AWS_LAMBDA_RUNTIME_API"], "uid": os.getuid()}
          return {"answer": "victim " + os.environ["VICTIM_SECRET"]}
      """;

  static final String ATTACKER = """
      import ctypes, errno, http.client, json, os, socket

      def attempt(f):
          try:
              return {"ok": f()}
          except BaseException as e:
              return {"error": type(e).__name__, "errno": getattr(e, "errno", None)}

      def status():
          return [l for l in open("/proc/self/status").read().split("\\n") if l.startswith(("CapEff", "CapBnd", "NoNewPrivs", "Seccomp:"))]

      def write(path):
          with open(path, "a") as f:
              f.write("# rewritten by the attacker\\n")
          return "written"

      def fill_tmp(mb):
          written = 0
          try:
              with open("/tmp/fill", "wb") as f:
                  for _ in range(mb):
                      f.write(b"x" * 1024 * 1024)
                      written += 1
          except OSError as e:
              return {"written_mb": written, "errno": e.errno}
          finally:
              os.remove("/tmp/fill")
          return {"written_mb": written}

      def runtime_call(address, method, path, body=None):
          host, port = address.split(":")
          c = http.client.HTTPConnection(host, int(port), timeout=3)
          try:
              c.request(method, path, body=body)
              r = c.getresponse()
              return {"status": r.status, "headers": dict(r.getheaders())}
          finally:
              c.close()

      def ptrace_attach(pid):
          libc = ctypes.CDLL(None, use_errno=True)
          rc = libc.ptrace(16, pid, 0, 0)
          return {"rc": rc, "errno": ctypes.get_errno()}

      def control_api(port):
          c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
          c.request("GET", "/api/v1/functions")
          return c.getresponse().status

      def handler(event, context):
          r = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "status": status()}
          r["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
          r["task_root"] = os.environ.get("LAMBDA_TASK_ROOT")
          r["own_code"] = sorted(os.listdir("/var/task"))
          r["list_data_dir"] = attempt(lambda: os.listdir(event["dataDir"]))
          r["read_registry"] = attempt(lambda: len(open(os.path.join(event["dataDir"], "registry.db"), "rb").read()))
          r["read_victim_code"] = attempt(lambda: open(os.path.join(event["victimCode"], "app.py")).read())
          r["write_victim_code"] = attempt(lambda: write(os.path.join(event["victimCode"], "app.py")))
          r["write_own_code"] = attempt(lambda: write("/var/task/app.py"))
          r["read_root_home"] = attempt(lambda: os.listdir(os.path.expanduser("~root")))
          r["kill_daemon"] = attempt(lambda: os.kill(event["daemonPid"], 9))
          r["kill_init"] = attempt(lambda: os.kill(1, 9))
          r["ptrace_daemon"] = ptrace_attach(event["daemonPid"])
          r["tmp_marker_before"] = os.path.exists("/tmp/marker")
          open("/tmp/marker", "w").write("left behind")
          r["fill_tmp"] = fill_tmp(event["fillMb"])
          r["control_api"] = attempt(lambda: control_api(event["gatewayPort"]))
          r["own_runtime_api"] = attempt(lambda: runtime_call(os.environ["AWS_LAMBDA_RUNTIME_API"], "GET", "/2018-06-01/runtime/nothing-here"))
          r["take_victim_invocation"] = attempt(lambda: runtime_call(event["victimRuntimeApi"], "GET", "/2018-06-01/runtime/invocation/next"))
          r["answer_victim_invocation"] = attempt(lambda: runtime_call(event["victimRuntimeApi"], "POST",
              "/2018-06-01/runtime/invocation/forged/response", body=b'{"answer": "forged"}'))
          r["register_victim_extension"] = attempt(lambda: runtime_call(event["victimRuntimeApi"], "POST",
              "/2020-01-01/extension/register", body=b'{"events": ["INVOKE"]}'))
          return r
      """;

  static JsonNode attack;
  static JsonNode victim;

  @BeforeAll
  static void start(@TempDir Path dataDir) throws Exception {
    data = dataDir;
    Path v = Files.createDirectories(work.resolve("victim"));
    Files.writeString(v.resolve("app.py"), VICTIM);
    Files.writeString(v.resolve("pilotlight.yaml"), "runtime: python\nhandler: app.handler\nenv:\n  VICTIM_SECRET: s3cr3t\n");
    Path a = Files.createDirectories(work.resolve("attacker"));
    Files.writeString(a.resolve("app.py"), ATTACKER);
    Files.writeString(a.resolve("pilotlight.yaml"), "runtime: python\nhandler: app.handler\nmemory: 2048\nephemeralStorage: 512\ntimeout: 60s\n");
    d = new DaemonFixture(data);
    String health = d.get("/healthz").body();
    assumeTrue(health.contains("isolation: bubblewrap"), "no sandbox on this host: not tested (" + health.replace('\n', ' ') + ")");
    d.deploy(v.toString(), "--name", "victim");
    d.deploy(a.toString(), "--name", "attacker");
    victim = invoke("victim", "{\"do\":\"whoami\"}");
    String victimCode = codeDir("victim").toString();
    int gatewayPort = URI.create(d.url()).getPort();
    attack = invoke("attacker", DaemonFixture.JSON.writeValueAsString(Map.of(
        "dataDir", data.toString(), "victimCode", victimCode, "daemonPid", ProcessHandle.current().pid(), "fillMb", 700,
        "gatewayPort", gatewayPort, "victimRuntimeApi", victim.path("runtimeApi").asText())));
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  static JsonNode invoke(String name, String event) throws IOException {
    HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/" + name + "/invoke"))
        .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(event)).build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return DaemonFixture.JSON.readTree(r.body());
  }

  /** Where the daemon keeps a function's unpacked code (the attacker is told, to try it). */
  static Path codeDir(String name) {
    String sha = d.status(name).path("codeSha256").asText();
    assertThat(sha).hasSize(64);
    return data.resolve("artifacts/code").resolve(sha);
  }

  @Test
  void theFunctionRunsAsAnUnprivilegedUidOfItsOwnWithoutCapabilities() {
    int uid = attack.path("uid").asInt();
    assertThat(uid).isGreaterThanOrEqualTo(1000).isNotEqualTo(victim.path("uid").asInt());
    assertThat(attack.path("gid").asInt()).isEqualTo(uid);
    assertThat(attack.path("groups").toString()).isIn("[]", "[" + uid + "]");
    assertThat(attack.path("status").toString())
        .contains("CapEff:\\t0000000000000000", "CapBnd:\\t0000000000000000", "NoNewPrivs:\\t1", "Seccomp:\\t2");
  }

  @Test
  void itSeesOnlyItsOwnCodeAndProcesses() {
    assertThat(attack.path("task_root").asText()).isEqualTo("/var/task");
    assertThat(attack.path("own_code").toString()).contains("app.py", "pilotlight.yaml");
    // its own PID namespace: bwrap's init, the runtime, perhaps a thread-group leader; never the host's hundreds
    assertThat(attack.path("pids").size()).isBetween(1, 4);
    assertThat(attack.path("list_data_dir").has("error")).as(attack.path("list_data_dir").toString()).isTrue();
    assertThat(attack.path("read_registry").has("error")).as(attack.path("read_registry").toString()).isTrue();
    assertThat(attack.path("read_victim_code").has("error")).as(attack.path("read_victim_code").toString()).isTrue();
    // the daemon's home is an empty tmpfs, but for what the sandbox shows of it (an interpreter installed there)
    assertThat(attack.path("read_root_home").toString()).doesNotContain(".m2", ".pilotlight", ".aws", ".ssh", ".bash_history");
  }

  @Test
  void itCannotRewriteCodeItsOwnOrAnothers() throws Exception {
    assertThat(attack.path("write_own_code").has("error")).as(attack.path("write_own_code").toString()).isTrue();
    assertThat(attack.path("write_victim_code").has("error")).as(attack.path("write_victim_code").toString()).isTrue();
    assertThat(Files.readString(codeDir("victim").resolve("app.py"))).isEqualTo(VICTIM);
    assertThat(Files.readString(codeDir("attacker").resolve("app.py"))).isEqualTo(ATTACKER);
  }

  @Test
  void itCannotKillOrTraceTheDaemon() {
    assertThat(attack.path("kill_daemon").has("error")).as(attack.path("kill_daemon").toString()).isTrue();
    assertThat(attack.path("ptrace_daemon").path("rc").asInt()).isEqualTo(-1);
    assertThat(d.get("/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void itsTmpIsPrivateCappedByEphemeralStorageAndGoneWithTheInstance() throws Exception {
    assertThat(attack.path("tmp_marker_before").asBoolean()).isFalse();
    JsonNode fill = attack.path("fill_tmp");
    assertThat(fill.path("errno").asInt()).as(fill.toString()).isEqualTo(28); // ENOSPC
    assertThat(fill.path("written_mb").asInt()).isBetween(400, 512);
    assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/attacker/instances")).DELETE().build()).statusCode())
        .isEqualTo(200);
    DaemonFixture.eventually(Duration.ofSeconds(20), "the attacker's instances stopped",
        () -> d.status("attacker").path("instances").asInt(-1) == 0);
    JsonNode again = invoke("attacker", DaemonFixture.JSON.writeValueAsString(Map.of(
        "dataDir", data.toString(), "victimCode", "/nonexistent", "daemonPid", 1, "fillMb", 1, "gatewayPort", 1, "victimRuntimeApi",
        "127.0.0.1:1")));
    assertThat(again.path("tmp_marker_before").asBoolean()).as("a new instance's /tmp is empty").isFalse();
  }

  @Test
  void itCannotReachTheControlApiWithoutAToken() {
    assertThat(attack.path("control_api").path("ok").asInt()).isEqualTo(401);
  }

  @Test
  void itCannotTakeOrAnswerAnotherInstancesInvocations() throws Exception {
    // the attacker's own endpoint answers it (so a refusal below is the sandbox's doing)...
    assertThat(attack.path("own_runtime_api").path("ok").path("status").asInt()).as(attack.path("own_runtime_api").toString())
        .isBetween(400, 499);
    // ...the victim's does not: the connection is closed before anything is read
    assertThat(attack.path("take_victim_invocation").has("error")).as(attack.path("take_victim_invocation").toString()).isTrue();
    assertThat(attack.path("answer_victim_invocation").has("error")).as(attack.path("answer_victim_invocation").toString()).isTrue();
    // ...nor its Extensions API: no extension of another uid sees its invocations
    assertThat(attack.path("register_victim_extension").has("error")).as(attack.path("register_victim_extension").toString()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(invoke("victim", "{}").path("answer").asText()).isEqualTo("victim s3cr3t");
    }
  }

  @Test
  void requireSandboxRefusesToStartWithoutOne(@TempDir Path other) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path lib = DaemonFixture.ROOT.resolve("dist/target/pilotlight/lib");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", lib + "/*", "-Dpilotlight.runner.jar=" + DaemonFixture.RUNNER,
        "dev.pilotlight.server.Main", "--port", "0", "--data-dir", other.toString(), "--require-sandbox").redirectErrorStream(true);
    pb.environment().put("PILOTLIGHT_SANDBOX", "off");
    pb.environment().put("PILOTLIGHT_CRIU", "off");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out).contains("--require-sandbox", "PILOTLIGHT_SANDBOX=off").doesNotContain("serving on");
    assertThat(List.of(out.split("\n"))).noneMatch(l -> l.startsWith("pilotlight: serving"));
  }
}
