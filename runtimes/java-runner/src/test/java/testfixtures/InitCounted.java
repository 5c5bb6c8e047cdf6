package testfixtures;

/** A handler whose static initialiser leaves a trace: how many times it ran, over all loaders. */
public class InitCounted {
  static {
    System.setProperty("testfixtures.initcounted", Integer.toString(Integer.getInteger("testfixtures.initcounted", 0) + 1));
  }

  public String handleRequest() {
    return "initialised " + Integer.getInteger("testfixtures.initcounted", 0) + " times";
  }
}
