package dev.pilotlight.runner;

/**
 * The function could not be initialised: its class is missing, has no usable method, or its
 * static initialiser or constructor threw. The cause is what gets reported to {@code /init/error}.
 */
final class HandlerInitException extends Exception {
  /**
   * The {@code Lambda-Runtime-Function-Error-Type} header. AWS's Java runtime interface client
   * reports every init failure as {@code Runtime.BadFunctionCode} in this header, with the
   * exception's class name as {@code errorType} in the body (for example {@code
   * java.lang.ClassNotFoundException} and the message {@code Class not found: example.Hello}); so
   * does Pilotlight.
   */
  static final String BAD_FUNCTION_CODE = "Runtime.BadFunctionCode";

  private static final long serialVersionUID = 1L;

  HandlerInitException(Throwable reported) {
    super(reported.getMessage(), reported);
  }

  String errorType() {
    return BAD_FUNCTION_CODE;
  }
}
