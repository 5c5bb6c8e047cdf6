package testfixtures.layer;

/** A library class whose static initialiser leaves a trace: how many times it ran, over all loaders. */
public final class Counted {
  static {
    System.setProperty("testfixtures.layer.counted", Integer.toString(Integer.getInteger("testfixtures.layer.counted", 0) + 1));
  }

  private Counted() {}
}
