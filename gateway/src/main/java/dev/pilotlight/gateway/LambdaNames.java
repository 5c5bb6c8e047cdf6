package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;

/**
 * Function names as the Lambda API accepts them: {@code NAME}, {@code NAME:QUALIFIER}, the ARN
 * {@code arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]} or the partial ARN
 * {@code ACCOUNT:function:NAME[:QUALIFIER]}; and the ARNs Pilotlight reports.
 */
public final class LambdaNames {
  /** The region and account every Pilotlight ARN names. */
  public static final String ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function:";

  private LambdaNames() {}

  /** A function name and its qualifier (null when none was given). */
  public record Ref(String name, String qualifier) {}

  public static String arn(String name) {
    return ARN_PREFIX + name;
  }

  /** Splits what a caller sent as {@code FunctionName}; the region and account of an ARN are not checked. */
  public static Ref parse(String value) {
    if (value == null || value.isEmpty()) {
      throw new Failure.InvalidInput("FunctionName is missing");
    }
    String[] p = value.split(":", -1);
    if (p[0].equals("arn")) {
      if (p.length < 7 || p.length > 8 || !p[1].startsWith("aws") || !p[2].equals("lambda") || !p[5].equals("function")) {
        throw new Failure.InvalidInput("FunctionName: '" + value
            + "' (expected: NAME, NAME:QUALIFIER or arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])");
      }
      return new Ref(p[6], p.length == 8 ? p[7] : null);
    }
    if (p.length >= 3 && p[1].equals("function")) {
      if (p.length > 4) {
        throw new Failure.InvalidInput("FunctionName: '" + value + "' (expected: ACCOUNT:function:NAME[:QUALIFIER])");
      }
      return new Ref(p[2], p.length == 4 ? p[3] : null);
    }
    if (p.length > 2) {
      throw new Failure.InvalidInput("FunctionName: '" + value + "' (expected: NAME or NAME:QUALIFIER)");
    }
    return new Ref(p[0], p.length == 2 ? p[1] : null);
  }
}
