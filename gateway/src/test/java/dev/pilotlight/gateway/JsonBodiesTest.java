package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {
  @Test
  void aPackageOfFiftyMegabytesAsBase64IsOneStringTheParserTakes() {
    // CreateFunction's ZipFile: a 50 MB zip is ~67 M characters of base64, past Jackson's default cap of 20 M
    String zip = Base64.getEncoder().encodeToString(new byte[50 * 1024 * 1024]);
    byte[] body = ("{\"FunctionName\":\"f\",\"Code\":{\"ZipFile\":\"" + zip + "\"}}").getBytes(StandardCharsets.US_ASCII);
    assertThat(JsonBodies.object(body).get("Code").get("ZipFile").asText()).hasSize(zip.length());
  }

  @Test
  void anythingButAnObjectIsInvalidInput() {
    assertThatThrownBy(() -> JsonBodies.object("[1]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("the request body must be a JSON object");
    assertThatThrownBy(() -> JsonBodies.object("{bad".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("the request body is not JSON");
  }

  @Test
  void aPackageIsDecodedFromTheBodyAndLeftOutOfTheTree() {
    byte[] zip = new byte[3 * 1024 * 1024];
    new java.util.Random(7).nextBytes(zip);
    byte[] body = ("{\"FunctionName\":\"f\",\"Code\":{\"S3Key\":null,\"ZipFile\":\"" + Base64.getEncoder().encodeToString(zip)
        + "\"},\"Tags\":{\"ZipFile\":\"not this one\"}}").getBytes(StandardCharsets.US_ASCII);
    var tree = JsonBodies.objectWithout(body, "/Code/ZipFile");
    assertThat(tree.get("Code").has("ZipFile")).isFalse();
    assertThat(tree.get("Code").has("S3Key")).isTrue();
    assertThat(tree.get("Tags").get("ZipFile").asText()).isEqualTo("not this one");
    assertThat(JsonBodies.base64At(body, "/Code/ZipFile", "Code.ZipFile")).hasValueSatisfying(b -> assertThat(b).isEqualTo(zip));
    assertThat(JsonBodies.base64At(body, "/ZipFile", "ZipFile")).isEmpty();
    // UpdateFunctionCode as the SDKs send it: the package first, or alone
    for (String only : new String[] {"{\"ZipFile\":\"QUJD\"}", "{\"ZipFile\":\"QUJD\",\"Publish\":true,\"DryRun\":false}",
        "{\"Publish\":true,\"ZipFile\":\"QUJD\"}"}) {
      byte[] b = only.getBytes(StandardCharsets.UTF_8);
      assertThat(JsonBodies.objectWithout(b, "/ZipFile").has("ZipFile")).as(only).isFalse();
      assertThat(JsonBodies.base64At(b, "/ZipFile", "ZipFile")).as(only).hasValueSatisfying(z -> assertThat(new String(z)).isEqualTo("ABC"));
    }
    assertThat(JsonBodies.objectWithout("{\"Code\":{\"ZipFile\":\"QUJD\"},\"FunctionName\":\"f\",\"N\":null}".getBytes(StandardCharsets.UTF_8),
        "/Code/ZipFile").toString()).isEqualTo("{\"Code\":{},\"FunctionName\":\"f\",\"N\":null}");
    assertThatThrownBy(() -> JsonBodies.objectWithout("[1]".getBytes(StandardCharsets.UTF_8), "/ZipFile"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessage("the request body must be a JSON object");
    assertThatThrownBy(() -> JsonBodies.base64At("{\"ZipFile\":12}".getBytes(StandardCharsets.UTF_8), "/ZipFile", "ZipFile"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("ZipFile is not a string");
    assertThatThrownBy(() -> JsonBodies.base64At("{\"ZipFile\":\"%%%\"}".getBytes(StandardCharsets.UTF_8), "/ZipFile", "ZipFile"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("ZipFile is not base64");
  }
}
