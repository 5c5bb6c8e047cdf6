package testfixtures;

import java.util.Map;

/** Functions that do things the loop must survive. */
public class Misbehaving {
  public Object unserializable() {
    return new Object() {
      public String getValue() {
        throw new UnsupportedOperationException("no value today");
      }
    };
  }

  public String interruptSelf() {
    Thread.currentThread().interrupt();
    return "interrupted";
  }

  @SuppressWarnings("InfiniteRecursion") // the point of this fixture: a StackOverflowError in a function
  public int overflow(Map<String, Object> event) {
    return overflow(event) + 1;
  }
}
