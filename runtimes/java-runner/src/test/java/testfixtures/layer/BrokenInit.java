package testfixtures.layer;

/** A library class whose static initialiser fails (outside the function's environment, say). */
public final class BrokenInit {
  static final String VALUE;

  static {
    if (Boolean.parseBoolean("true")) {
      throw new IllegalStateException("no setting in this environment");
    }
    VALUE = "unreachable";
  }

  private BrokenInit() {}
}
