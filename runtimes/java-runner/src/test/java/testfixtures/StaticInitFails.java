package testfixtures;

public class StaticInitFails {
  static {
    if (Boolean.parseBoolean("true")) {
      throw new IllegalStateException("static init failed on purpose");
    }
  }

  public String handleRequest() {
    return "unreachable";
  }
}
