package dev.pilotlight.testing;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fixture builders for specs and deployments. */
public final class Deployments {
  private Deployments() {}

  public static FunctionSpec javaSpec(String name, int concurrency, int maxInstances, Duration idle) {
    return FunctionSpec.builder().name(name).runtime(Runtime.JAVA).handler("example.Hello::handleRequest")
        .concurrency(concurrency).maxInstances(maxInstances).idleTimeout(idle).build();
  }

  /**
   * Two specs that between them set every declared setting to something other than its default:
   * an http app (command, readiness path) and a java function (handler). Surface tests use them
   * to find a setting some surface forgot.
   */
  public static List<FunctionSpec> everySettingSet() {
    ScalingSettings scaling = ScalingSettings.builder().targetUtilization(0.5).stableWindow(Duration.ofSeconds(30))
        .panicWindow(Duration.ofSeconds(3)).panicThreshold(3.0).maxScaleUpRate(10.0).maxScaleDownRate(4.0).maxQueue(20)
        .maxQueueWait(Duration.ofMillis(700)).scaleDownDelay(Duration.ofSeconds(90)).build();
    FunctionSpec.Builder common = FunctionSpec.builder().memoryMb(512).ephemeralStorageMb(1024).timeout(Duration.ofMillis(1500)).concurrency(8).minInstances(1)
        .maxInstances(4).idleTimeout(Duration.ofMinutes(2)).env(Map.of("GREETING", "hi")).maxEventAge(Duration.ofHours(1)).maxRetries(1)
        .retryDelay(Duration.ofSeconds(5)).scaling(scaling).keepAlive(KeepAlive.FIXED);
    return List.of(
        common.name("web").runtime(Runtime.HTTP).command("java -jar app.jar").readinessPath("/healthz").auth("token").build(),
        common.name("fn").runtime(Runtime.JAVA).command(null).readinessPath(null).handler("example.Hello::handleRequest")
            .invokeMode("response_stream").onSuccess("audit").onFailure("arn:aws:lambda:us-east-1:000000000000:function:audit:live")
            .deadLetter("amqp://u:p@mq:5672/%2F?queue=dlq").description("says hello").role("arn:aws:iam::123456789012:role/hello")
            .tags(Map.of("team", "core")).awsRuntime("java25").reservedConcurrency(6)
            .permissions(Map.of("s3", "{\"Sid\":\"s3\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"}}"))
            .secrets(Map.of("DB_PASSWORD", "db-password")).secretFiles(Map.of("tls.key", "tls-key")).build());
  }

  public static Deployment of(FunctionSpec spec, long revision) {
    return new Deployment(spec, revision, "0".repeat(64), 1, Path.of("/tmp/none"), Instant.EPOCH);
  }

  public static Deployment java(String name, int concurrency, int maxInstances) {
    return of(javaSpec(name, concurrency, maxInstances, FunctionSpec.DEFAULT_IDLE_TIMEOUT), 1);
  }
}
