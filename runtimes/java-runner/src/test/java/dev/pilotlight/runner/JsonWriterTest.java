package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

  @Test
  void escapesWhatJsonRequiresAndKeepsUnicode() {
    String s = "q\" b\\ n\n r\r t\t \b \f \u0001 \u001f é 中 😀 \u2028";

    assertThat(JsonWriter.write(s))
        .isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t \\b \\f \\u0001 \\u001f é 中 😀 \\u2028\"");
    assertThat(JsonParser.parse(JsonWriter.write(s))).isEqualTo(s);
  }

  @Test
  void escapesLoneSurrogatesSoTheyRoundTrip() {
    String lone = "a\ud800b\udc00";

    assertThat(JsonWriter.write(lone)).isEqualTo("\"a\\ud800b\\udc00\"");
    assertThat(JsonParser.parse(JsonWriter.write(lone))).isEqualTo(lone);
  }

  @Test
  void roundTripsParsedDocuments() {
    String json =
        "{\"s\":\"x\\ny\",\"i\":-12,\"l\":12345678901,\"d\":1.25,\"e\":1.0E-7,\"t\":true,\"f\":false,"
            + "\"n\":null,\"a\":[1,[2,[3]],{\"k\":\"v\"}],\"o\":{},\"u\":\"\\u00e9😀\"}";

    Object parsed = JsonParser.parse(json);

    assertThat(JsonParser.parse(JsonWriter.write(parsed))).isEqualTo(parsed);
    assertThat(JsonWriter.write(parsed)).isEqualTo(json.replace("\\u00e9", "é"));
  }

  @Test
  void writesScalarsCollectionsAndArrays() {
    assertThat(JsonWriter.write(null)).isEqualTo("null");
    assertThat(JsonWriter.write(42L)).isEqualTo("42");
    assertThat(JsonWriter.write(new BigDecimal("1.50"))).isEqualTo("1.50");
    assertThat(JsonWriter.write(Double.NaN)).isEqualTo("null");
    assertThat(JsonWriter.write('c')).isEqualTo("\"c\"");
    assertThat(JsonWriter.write(new int[] {1, 2})).isEqualTo("[1,2]");
    assertThat(JsonWriter.write(new String[] {"a", null})).isEqualTo("[\"a\",null]");
    assertThat(JsonWriter.write(Arrays.asList(1, "two"))).isEqualTo("[1,\"two\"]");
    assertThat(JsonWriter.write(new byte[] {1, 2, 3})).isEqualTo("\"AQID\"");
    assertThat(JsonWriter.write(Optional.of("x"))).isEqualTo("\"x\"");
    assertThat(JsonWriter.write(Instant.parse("2025-01-02T03:04:05Z"))).isEqualTo("\"2025-01-02T03:04:05Z\"");
    assertThat(JsonWriter.write(Color.RED)).isEqualTo("\"RED\"");
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put(1, List.of());
    map.put(Color.RED, Map.of());
    assertThat(JsonWriter.write(map)).isEqualTo("{\"1\":[],\"RED\":{}}");
  }

  @Test
  void writesRecordsAndBeans() {
    assertThat(JsonWriter.write(new Point(1, -2, "p"))).isEqualTo("{\"x\":1,\"y\":-2,\"label\":\"p\"}");
    assertThat(JsonWriter.write(new Point(1, -2, null))).isEqualTo("{\"x\":1,\"y\":-2}");
    assertThat(JsonWriter.write(new Response()))
        .isEqualTo("{\"URL\":\"http://x\",\"body\":\"hi\",\"isBase64Encoded\":false,\"statusCode\":200,\"tag\":\"t\"}");
  }

  @Test
  void refusesCyclicGraphs() {
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);

    assertThatThrownBy(() -> JsonWriter.write(cycle)).hasMessageContaining("cyclic");
  }

  enum Color {
    RED
  }

  record Point(int x, int y, String label) {}

  /** Shaped like Lombok's output for AWS's response event classes. */
  public static class Response {
    public String tag = "t";
    private final boolean isBase64Encoded = false;

    public int getStatusCode() {
      return 200;
    }

    public String getBody() {
      return "hi";
    }

    public boolean isBase64Encoded() {
      return isBase64Encoded;
    }

    public String getURL() {
      return "http://x";
    }

    public List<String> getCookies() {
      return null; // omitted, not written as null
    }

    public static String getIgnoredStatic() {
      return "static";
    }
  }
}
