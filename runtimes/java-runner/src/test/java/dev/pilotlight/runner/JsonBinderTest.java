package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonBinderTest {

  private static Object bind(String json, Type type) {
    return JsonBinder.convert(JsonParser.parse(json), type);
  }

  private static Type typeOf(String fieldName) throws NoSuchFieldException {
    return Types.class.getDeclaredField(fieldName).getGenericType();
  }

  @Test
  void bindsNestedPojosListsAndMapsByGenericType() {
    Cart cart =
        (Cart) bind(
            "{\"owner\":\"ann\",\"lines\":[{\"sku\":\"a\",\"qty\":2},{\"sku\":\"b\",\"qty\":1}],"
                + "\"stock\":{\"a\":[1,2]},\"address\":{\"city\":\"Oslo\"},\"unknown\":{\"x\":1},"
                + "\"Priority\":3,\"isExpress\":true,\"tags\":[\"x\",\"x\",\"y\"]}",
            Cart.class);

    assertThat(cart.owner).isEqualTo("ann");
    assertThat(cart.getLines()).hasSize(2);
    assertThat(cart.getLines().get(0)).isInstanceOf(Line.class);
    assertThat(cart.getLines().get(0).sku).isEqualTo("a");
    assertThat(cart.getLines().get(0).qty).isEqualTo(2);
    assertThat(cart.stock.get("a")).containsExactly(1L, 2L);
    assertThat(cart.address.city).isEqualTo("Oslo");
    assertThat(cart.priority).isEqualTo(3);
    assertThat(cart.express).isTrue();
    assertThat(cart.tags).containsExactly("x", "y");
  }

  @Test
  void bindsAnHttpApiEventShapedLikeAwsEventClasses() {
    HttpEvent event =
        (HttpEvent) bind(
            "{\"version\":\"2.0\",\"rawPath\":\"/a\",\"cookies\":[\"c=1\"],\"queryStringParameters\":{\"name\":\"Ann\"},"
                + "\"requestContext\":{\"timeEpoch\":1700000000000,\"http\":{\"method\":\"GET\",\"path\":\"/a\"}},"
                + "\"isBase64Encoded\":true,\"body\":null}",
            HttpEvent.class);

    assertThat(event.rawPath).isEqualTo("/a");
    assertThat(event.cookies).containsExactly("c=1");
    assertThat(event.queryStringParameters).containsEntry("name", "Ann");
    assertThat(event.requestContext.timeEpoch).isEqualTo(1700000000000L);
    assertThat(event.requestContext.http.method).isEqualTo("GET");
    assertThat(event.isBase64Encoded).isTrue();
  }

  @Test
  void bindsRecordsEnumsAndGenericWrappers() throws Exception {
    @SuppressWarnings("unchecked")
    Wrapper<Point> wrapper = (Wrapper<Point>) bind("{\"data\":{\"x\":1,\"y\":2,\"color\":\"blue\"}}", typeOf("wrapper"));

    assertThat(wrapper.data).isEqualTo(new Point(1, 2, Color.BLUE));
  }

  @Test
  void stringTargetsTakeStringValuesOrRawJson() throws Exception {
    assertThat(bind("\"plain\"", String.class)).isEqualTo("plain");
    assertThat(bind("{\"a\":[1]}", String.class)).isEqualTo("{\"a\":[1]}");
    assertThat(bind("{\"s\":{\"k\":true}}", typeOf("strings"))).isEqualTo(Map.of("s", "{\"k\":true}"));
  }

  @Test
  void convertsScalarsPrimitivesAndBytes() throws Exception {
    assertThat(bind("7", int.class)).isEqualTo(7);
    assertThat(bind("\"7\"", long.class)).isEqualTo(7L);
    assertThat(bind("7", double.class)).isEqualTo(7.0);
    assertThat(bind("true", boolean.class)).isEqualTo(true);
    assertThat(bind("null", int.class)).isEqualTo(0);
    assertThat(bind("null", Integer.class)).isNull();
    assertThat(bind("\"x\"", char.class)).isEqualTo('x');
    assertThat((byte[]) bind("\"aGk=\"", byte[].class)).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
    assertThat((int[]) bind("[1,2,3]", int[].class)).containsExactly(1, 2, 3);
    assertThat(bind("[[\"a\"]]", typeOf("nested"))).isEqualTo(List.of(Set.of("a")));
    assertThat(bind("{\"1\":\"one\"}", typeOf("intKeys"))).isEqualTo(Map.of(1, "one"));
  }

  @Test
  void buildsValueTypesFromStringsAndNumbers() throws Exception {
    UUID id = UUID.randomUUID();
    assertThat(bind("\"" + id + "\"", UUID.class)).isEqualTo(id);
    assertThat(bind("\"2025-01-02T03:04:05Z\"", Instant.class)).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
    assertThat(bind("1000", Date.class)).isEqualTo(new Date(1000));
    assertThat(((InputStream) bind("{\"a\":1}", InputStream.class)).readAllBytes())
        .isEqualTo("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void objectTargetsKeepThePlainTree() {
    Object tree = JsonParser.parse("{\"a\":[1,\"b\",null]}");

    assertThat(JsonBinder.convert(tree, Object.class)).isSameAs(tree);
  }

  @Test
  void mismatchesNameTheTypeAndTheField() {
    assertThatThrownBy(() -> JsonBinder.bind(JsonParser.parse("{\"lines\":[{\"qty\":1},{\"qty\":\"many\"}]}"), Cart.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot bind the event to " + Cart.class.getName()
            + ", field 'lines[1].qty': cannot convert JSON string to java.lang.Integer");
    assertThatThrownBy(() -> JsonBinder.bind(JsonParser.parse("[1]"), Cart.class))
        .hasMessage("cannot bind the event to " + Cart.class.getName() + ": cannot convert JSON array to " + Cart.class.getName());
    assertThatThrownBy(() -> JsonBinder.bind(JsonParser.parse("{\"stock\":{\"a\":[1,\"z\"]}}"), Cart.class))
        .hasMessageEndingWith("field 'stock.a[1]': cannot convert JSON string to java.lang.Long");
  }

  enum Color {
    RED,
    BLUE
  }

  record Point(int x, int y, Color color) {}

  static class Wrapper<T> {
    T data;
  }

  static class Address {
    String city;
  }

  static class Line {
    String sku;
    int qty;
  }

  static class Cart {
    String owner;
    private List<Line> lines;
    Map<String, List<Long>> stock;
    Address address;
    int priority;
    boolean express;
    Set<String> tags;

    public List<Line> getLines() {
      return lines;
    }

    public void setLines(List<Line> lines) {
      this.lines = lines;
    }

    public void setExpress(boolean express) {
      this.express = express;
    }
  }

  /** Like Lombok's output for aws-lambda-java-events' APIGatewayV2HTTPEvent. */
  public static class HttpEvent {
    private String rawPath;
    private List<String> cookies;
    private Map<String, String> queryStringParameters;
    private RequestContext requestContext;
    private boolean isBase64Encoded;
    private String body;

    public void setRawPath(String rawPath) {
      this.rawPath = rawPath;
    }

    public void setBase64Encoded(boolean base64Encoded) {
      this.isBase64Encoded = base64Encoded;
    }

    public void setBody(String body) {
      this.body = body;
    }

    public static class RequestContext {
      private long timeEpoch;
      private Http http;

      public static class Http {
        private String method;
        private String path;
      }
    }
  }

  @SuppressWarnings("unused")
  private static final class Types {
    Wrapper<Point> wrapper;
    Map<String, String> strings;
    List<Set<String>> nested;
    Map<Integer, String> intKeys;
  }
}
