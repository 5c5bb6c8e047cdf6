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
}
