package testfixtures;

public class ConstructorFails {
  public ConstructorFails() {
    throw new RuntimeException("init failed on purpose");
  }

  public String handleRequest() {
    return "unreachable";
  }
}
