package ric;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * Writes four lines naming the event's {@code n}: stdout, stderr, and two through the
 * {@code LambdaLogger}, which AWS's client writes without a newline (LogIntegrityIT).
 */
public class LogLines implements RequestHandler<Map<String, Object>, String> {
  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    Object n = event.get("n");
    System.out.println("r1 " + n);
    System.err.println("r2 " + n);
    context.getLogger().log("r3 " + n);
    context.getLogger().log("r4 " + n);
    return "ok";
  }
}
