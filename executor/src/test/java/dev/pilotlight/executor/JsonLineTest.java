package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one JSON line the executor writes (a pool runner's environment), with the strings a function's environment may hold. */
class JsonLineTest {
  private static String line(Map<String, String> values) {
    return new String(JsonLine.of(values), StandardCharsets.UTF_8);
  }

  @Test
  void writesAFlatObjectOfStrings() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("A", "1");
    env.put("PATH", "/usr/bin:/bin");
    assertThat(line(env)).isEqualTo("{\"A\":\"1\",\"PATH\":\"/usr/bin:/bin\"}");
    assertThat(line(Map.of())).isEqualTo("{}");
  }

  @Test
  void quotesAndBackslashesAreEscapedInNamesAndValues() {
    assertThat(line(Map.of("K\"\\", "say \"hi\" C:\\dir\\"))).isEqualTo("{\"K\\\"\\\\\":\"say \\\"hi\\\" C:\\\\dir\\\\\"}");
    // a value that tries to close the string and add a member stays one string
    assertThat(line(Map.of("X", "\",\"AWS_LAMBDA_RUNTIME_API\":\"evil"))).isEqualTo("{\"X\":\"\\\",\\\"AWS_LAMBDA_RUNTIME_API\\\":\\\"evil\"}");
  }

  @Test
  void everyControlCharacterIsEscapedSoTheLineStaysOneLine() {
    assertThat(line(Map.of("V", "a\nb\rc\td"))).isEqualTo("{\"V\":\"a\\nb\\rc\\td\"}");
    assertThat(line(Map.of("V", "\u0000\u0001\u001f\b\f"))).isEqualTo("{\"V\":\"\\u0000\\u0001\\u001f\\u0008\\u000c\"}");
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      all.append(c);
    }
    assertThat(line(Map.of("V", all.toString()))).doesNotContain("\n", "\r").matches("[\\x20-\\x7e]*");
    assertThat(line(Map.of("V", "\u007f"))).isEqualTo("{\"V\":\"\u007f\"}");
  }

  @Test
  void nonAsciiIsWrittenAsUtf8AndALoneSurrogateAsAnEscape() {
    byte[] bytes = JsonLine.of(Map.of("GRÜSS", "grüß 日本 😀"));
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("{\"GRÜSS\":\"grüß 日本 😀\"}");
    assertThat(bytes).hasSize("{\"GRÜSS\":\"grüß 日本 😀\"}".getBytes(StandardCharsets.UTF_8).length);
    assertThat(line(Map.of("V", "a\ud800b"))).isEqualTo("{\"V\":\"a\\ud800b\"}");
    assertThat(line(Map.of("V", "\udc00"))).isEqualTo("{\"V\":\"\\udc00\"}");
    assertThat(line(Map.of("V", "\u2028"))).isEqualTo("{\"V\":\"\u2028\"}");
  }

  @Test
  void aMissingValueIsNullAndAMissingNameIsRefused() {
    Map<String, String> env = new HashMap<>();
    env.put("V", null);
    assertThat(line(env)).isEqualTo("{\"V\":null}");
    Map<String, String> noName = new HashMap<>();
    noName.put(null, "x");
    assertThatThrownBy(() -> JsonLine.of(noName)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null name");
  }
}
