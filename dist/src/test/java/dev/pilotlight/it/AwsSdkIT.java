package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionResponse;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * AWS's SDK for Java v2 {@code LambdaClient} with {@code endpointOverride} and dummy credentials:
 * the management subset and Invoke against a real daemon running a Java function.
 */
class AwsSdkIT {
  static DaemonFixture d;
  static LambdaClient lambda;

  @BeforeAll
  static void start(@TempDir Path data) {
    d = new DaemonFixture(data);
    // A key the daemon issued (SigV4 is checked); the region is the client's choice.
    TestAuth.Key key = d.adminKey();
    lambda = LambdaClient.builder()
        .endpointOverride(URI.create(d.url()))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(), key.secret())))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  @AfterAll
  static void stop() {
    lambda.close();
    d.close();
  }

  /** The packaged test functions (a jar and lib/), zipped as a Lambda deployment package. */
  static byte[] testFunctionsZip() throws IOException {
    Path dir = Path.of(DaemonFixture.testFunctions());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        zip.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static String text(SdkBytes b) {
    return b.asUtf8String();
  }

  @Test
  void theSdkManagesAndInvokesAJavaFunction() throws Exception {
    byte[] zip = testFunctionsZip();
    CreateFunctionResponse created = lambda.createFunction(b -> b.functionName("sdk-echo").runtime(Runtime.JAVA21)
        .handler("fixtures.Echo::handleRequest").role("arn:aws:iam::000000000000:role/any").memorySize(256).timeout(30)
        .environment(e -> e.variables(Map.of("MODE", "test")))
        .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    assertThat(created.functionName()).isEqualTo("sdk-echo");
    assertThat(created.runtime()).isEqualTo(Runtime.JAVA21);
    assertThat(created.codeSha256()).isEqualTo(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(zip)));
    assertThat(created.codeSize()).isEqualTo(zip.length);
    assertThat(created.environment().variables()).containsEntry("MODE", "test");

    assertThatThrownBy(() -> lambda.createFunction(b -> b.functionName("sdk-echo").runtime(Runtime.JAVA21)
        .handler("fixtures.Echo::handleRequest").role("r").code(c -> c.zipFile(SdkBytes.fromByteArray(zip)))))
        .isInstanceOf(ResourceConflictException.class);
    assertThatThrownBy(() -> lambda.createFunction(b -> b.functionName("sdk-bad").runtime("cobol85")
        .handler("x").role("r").code(c -> c.zipFile(SdkBytes.fromByteArray(zip)))))
        .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("cobol85");

    InvokeResponse sync = lambda.invoke(b -> b.functionName("sdk-echo").logType(LogType.TAIL)
        .payload(SdkBytes.fromUtf8String("{\"a\":1}")));
    assertThat(sync.statusCode()).isEqualTo(200);
    assertThat(sync.functionError()).isNull();
    assertThat(sync.executedVersion()).isEqualTo("$LATEST");
    assertThat(text(sync.payload())).isEqualTo("{\"a\":1}");
    String tail = new String(Base64.getDecoder().decode(sync.logResult()), StandardCharsets.UTF_8);
    assertThat(tail).contains("START RequestId: " + sync.responseMetadata().requestId())
        .contains("REPORT RequestId: " + sync.responseMetadata().requestId());

    InvokeResponse viaArn = lambda.invoke(b -> b.functionName("arn:aws:lambda:us-east-1:000000000000:function:sdk-echo")
        .qualifier("$LATEST").payload(SdkBytes.fromUtf8String("{\"b\":2}")));
    assertThat(text(viaArn.payload())).isEqualTo("{\"b\":2}");

    InvokeResponse event = lambda.invoke(b -> b.functionName("sdk-echo").invocationType(InvocationType.EVENT)
        .payload(SdkBytes.fromUtf8String("{\"async\":true}")));
    assertThat(event.statusCode()).isEqualTo(202);
    String eventId = event.responseMetadata().requestId();
    eventually(Duration.ofSeconds(30), "the Event invocation ran", () -> d.logs("sdk-echo").contains("REPORT RequestId: " + eventId));

    assertThat(lambda.invoke(b -> b.functionName("sdk-echo").invocationType(InvocationType.DRY_RUN)).statusCode()).isEqualTo(204);

    assertThat(lambda.getFunction(b -> b.functionName("sdk-echo")).configuration().handler()).isEqualTo("fixtures.Echo::handleRequest");
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName("sdk-echo").qualifier("$LATEST")).memorySize()).isEqualTo(256);
    assertThat(lambda.listFunctions().functions()).extracting(FunctionConfiguration::functionName).contains("sdk-echo");
    assertThat(lambda.listFunctionsPaginator().functions().stream().map(FunctionConfiguration::functionName)).contains("sdk-echo");

    // a new configuration makes a function error
    var failing = lambda.updateFunctionConfiguration(b -> b.functionName("sdk-echo").handler("fixtures.Fail::handleRequest"));
    assertThat(failing.handler()).isEqualTo("fixtures.Fail::handleRequest");
    InvokeResponse error = lambda.invoke(b -> b.functionName("sdk-echo").payload(SdkBytes.fromUtf8String("{}")));
    assertThat(error.statusCode()).isEqualTo(200);
    assertThat(error.functionError()).isEqualTo("Unhandled");
    assertThat(text(error.payload())).contains("\"errorMessage\":\"boom\"").contains("IllegalStateException");

    var recoded = lambda.updateFunctionCode(b -> b.functionName("sdk-echo").zipFile(SdkBytes.fromByteArray(zip)));
    assertThat(recoded.handler()).isEqualTo("fixtures.Fail::handleRequest");
    assertThat(recoded.codeSha256()).isEqualTo(created.codeSha256());

    assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("sdk-echo").payload(SdkBytes.fromByteArray(new byte[7 * 1024 * 1024]))))
        .isInstanceOf(RequestTooLargeException.class);
    assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("sdk-echo").invocationType(InvocationType.EVENT)
        .payload(SdkBytes.fromByteArray(new byte[1024 * 1024 + 1]))))
        .isInstanceOf(RequestTooLargeException.class);

    assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("no-such-fn")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("sdk-echo").qualifier("prod")))
        .isInstanceOf(ResourceNotFoundException.class);

    lambda.deleteFunction(b -> b.functionName("sdk-echo"));
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName("sdk-echo"))).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void theSdkPublishesVersionsAndInvokesThroughAWeightedAlias() throws Exception {
    byte[] zip = testFunctionsZip();
    lambda.createFunction(b -> b.functionName("sdk-rel").runtime(Runtime.JAVA21).handler("fixtures.Echo::handleRequest")
        .role("arn:aws:iam::000000000000:role/any").code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    assertThat(lambda.publishVersion(b -> b.functionName("sdk-rel")).version()).isEqualTo("1");
    lambda.updateFunctionConfiguration(b -> b.functionName("sdk-rel").memorySize(256));
    assertThat(lambda.publishVersion(b -> b.functionName("sdk-rel")).version()).isEqualTo("2");
    assertThat(lambda.listVersionsByFunction(b -> b.functionName("sdk-rel")).versions()).extracting(FunctionConfiguration::version)
        .containsExactly("$LATEST", "1", "2");
    var alias = lambda.createAlias(b -> b.functionName("sdk-rel").name("prod").functionVersion("1")
        .routingConfig(r -> r.additionalVersionWeights(Map.of("2", 0.5))));
    assertThat(alias.aliasArn()).endsWith(":function:sdk-rel:prod");
    assertThat(alias.routingConfig().additionalVersionWeights()).containsEntry("2", 0.5);
    java.util.Set<String> ran = new java.util.TreeSet<>();
    for (int i = 0; i < 40; i++) {
      InvokeResponse r = lambda.invoke(b -> b.functionName("sdk-rel").qualifier("prod").payload(SdkBytes.fromUtf8String("{}")));
      assertThat(r.statusCode()).isEqualTo(200);
      ran.add(r.executedVersion());
    }
    assertThat(ran).as("versions that ran through a 50/50 alias in 40 calls").containsExactly("1", "2");
    assertThat(lambda.getAlias(b -> b.functionName("sdk-rel").name("prod")).functionVersion()).isEqualTo("1");
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName("sdk-rel").qualifier("2")).memorySize()).isEqualTo(256);
    assertThat(lambda.listAliases(b -> b.functionName("sdk-rel")).aliases()).extracting(a -> a.name()).containsExactly("prod");
    assertThatThrownBy(() -> lambda.deleteFunction(b -> b.functionName("sdk-rel").qualifier("1")))
        .isInstanceOf(software.amazon.awssdk.services.lambda.model.ResourceConflictException.class);
    lambda.deleteAlias(b -> b.functionName("sdk-rel").name("prod"));
    lambda.deleteFunction(b -> b.functionName("sdk-rel"));
  }
}
