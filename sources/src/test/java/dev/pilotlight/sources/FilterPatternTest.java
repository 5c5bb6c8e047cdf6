package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Lambda's filter pattern syntax: what matches, what does not, and what is refused. */
class FilterPatternTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static boolean matches(String pattern, String message) throws Exception {
    JsonNode m = JSON.readTree(message);
    return FilterPattern.parse(pattern).matches(m);
  }

  @Test
  void literalsAndNestedFields() throws Exception {
    String p = "{\"data\": {\"kind\": [\"order\", \"refund\"], \"shop\": {\"country\": [\"KR\"]}}}";
    assertThat(matches(p, "{\"data\": {\"kind\": \"order\", \"shop\": {\"country\": \"KR\"}}}")).isTrue();
    assertThat(matches(p, "{\"data\": {\"kind\": \"refund\", \"shop\": {\"country\": \"KR\"}}}")).isTrue();
    assertThat(matches(p, "{\"data\": {\"kind\": \"order\", \"shop\": {\"country\": \"DE\"}}}")).isFalse();
    assertThat(matches(p, "{\"data\": {\"kind\": \"order\"}}")).isFalse();
    assertThat(matches(p, "{\"data\": \"not json\"}")).isFalse();
    assertThat(matches("{\"data\": {\"n\": [5]}}", "{\"data\": {\"n\": 5.0}}")).isTrue();
    assertThat(matches("{\"data\": {\"tags\": [\"hot\"]}}", "{\"data\": {\"tags\": [\"cold\", \"hot\"]}}")).as("any element of an array").isTrue();
    assertThat(matches("{\"data\": {\"x\": [null]}}", "{\"data\": {\"x\": null}}")).isTrue();
  }

  @Test
  void matchers() throws Exception {
    assertThat(matches("{\"data\": {\"id\": [{\"prefix\": \"ord-\"}]}}", "{\"data\": {\"id\": \"ord-7\"}}")).isTrue();
    assertThat(matches("{\"data\": {\"id\": [{\"suffix\": \".png\"}]}}", "{\"data\": {\"id\": \"a.jpg\"}}")).isFalse();
    assertThat(matches("{\"data\": {\"c\": [{\"equals-ignore-case\": \"kr\"}]}}", "{\"data\": {\"c\": \"KR\"}}")).isTrue();
    assertThat(matches("{\"data\": {\"s\": [{\"anything-but\": [\"test\", \"dev\"]}]}}", "{\"data\": {\"s\": \"prod\"}}")).isTrue();
    assertThat(matches("{\"data\": {\"s\": [{\"anything-but\": \"test\"}]}}", "{\"data\": {\"s\": \"test\"}}")).isFalse();
    String range = "{\"data\": {\"price\": [{\"numeric\": [\">\", 0, \"<=\", 100]}]}}";
    assertThat(matches(range, "{\"data\": {\"price\": 100}}")).isTrue();
    assertThat(matches(range, "{\"data\": {\"price\": 0}}")).isFalse();
    assertThat(matches(range, "{\"data\": {\"price\": \"50\"}}")).as("a string is no number").isFalse();
    assertThat(matches("{\"data\": {\"debug\": [{\"exists\": false}]}}", "{\"data\": {\"x\": 1}}")).isTrue();
    assertThat(matches("{\"data\": {\"debug\": [{\"exists\": true}]}}", "{\"data\": {\"x\": 1}}")).isFalse();
    assertThat(matches("{\"basicProperties\": {\"contentType\": [\"application/json\"]}}",
        "{\"data\": {}, \"basicProperties\": {\"contentType\": \"application/json\"}}")).isTrue();
  }

  @Test
  void badPatternsAreRefusedWithWhereAndWhat() {
    assertThatThrownBy(() -> FilterPattern.parse("not json")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> FilterPattern.parse("[]")).hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> FilterPattern.parse("{\"data\": {\"kind\": \"order\"}}")).hasMessageContaining("data.kind: expected an array");
    assertThatThrownBy(() -> FilterPattern.parse("{\"data\": {\"n\": [{\"numeric\": [\"~\", 3]}]}}")).hasMessageContaining("numeric");
    assertThatThrownBy(() -> FilterPattern.parse("{\"data\": {\"n\": [{\"wildcard\": \"a*\"}]}}")).hasMessageContaining("unknown matcher 'wildcard'");
    assertThatThrownBy(() -> FilterPattern.parse("{\"data\": {\"n\": []}}")).hasMessageContaining("expected an array");
  }
}
