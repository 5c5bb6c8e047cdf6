package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {

  @Test
  @SuppressWarnings("unchecked")
  void parsesNestedStructuresInOrder() {
    Object value = JsonParser.parse(" {\"b\": [1, {\"c\": null}], \"a\": true, \"e\": {}, \"f\": []}\n");

    assertThat(value).isInstanceOf(LinkedHashMap.class);
    Map<String, Object> map = (Map<String, Object>) value;
    assertThat(map.keySet()).containsExactly("b", "a", "e", "f");
    List<Object> b = (List<Object>) map.get("b");
    assertThat(b.get(0)).isEqualTo(1);
    assertThat((Map<String, Object>) b.get(1)).containsOnlyKeys("c");
    assertThat(map.get("e")).isEqualTo(Map.of());
    assertThat(map.get("a")).isEqualTo(true);
  }

  @Test
  void numbersUseTheSmallestFittingType() {
    assertThat(JsonParser.parse("0")).isEqualTo(0);
    assertThat(JsonParser.parse("-2147483648")).isEqualTo(Integer.MIN_VALUE);
    assertThat(JsonParser.parse("2147483648")).isEqualTo(2147483648L);
    assertThat(JsonParser.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(JsonParser.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
    assertThat(JsonParser.parse("1.5")).isEqualTo(1.5);
    assertThat(JsonParser.parse("-1e3")).isEqualTo(-1000.0);
    assertThat(JsonParser.parse("2.5E-3")).isEqualTo(0.0025);
    assertThat(JsonParser.parse("1e400")).isEqualTo(new BigDecimal("1e400"));
  }

  @Test
  void decodesEscapesAndUnicode() {
    assertThat(JsonParser.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"")).isEqualTo("a\"b\\c/d\b\f\n\r\t");
    assertThat(JsonParser.parse("\"\\u00e9\\u4e2d\"")).isEqualTo("é中");
    assertThat(JsonParser.parse("\"\\ud83d\\ude00 raw 😀 é\"")).isEqualTo("😀 raw 😀 é");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "\"unterminated", "\"bad \\x escape\"", "01", "1.", "-",
        "tru", "nul", "[1 2]", "{\"a\" 1}", "\"tab\there\"", "\"\\u12\"", "1 2", "+1", ".5", "1e"
      })
  void rejectsInvalidJson(String text) {
    assertThatThrownBy(() -> JsonParser.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid JSON at offset");
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    String deep = "[".repeat(JsonParser.MAX_DEPTH + 1) + "]".repeat(JsonParser.MAX_DEPTH + 1);
    String ok = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);

    assertThat(JsonParser.parse(ok)).isInstanceOf(List.class);
    assertThatThrownBy(() -> JsonParser.parse(deep)).hasMessageContaining("nested deeper");
  }
}
