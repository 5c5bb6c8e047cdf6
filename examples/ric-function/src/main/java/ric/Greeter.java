package ric;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** An ordinary RequestHandler, hosted by AWS's runtime interface client instead of Pilotlight's runner. */
public class Greeter implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    if (Boolean.TRUE.equals(event.get("fail"))) {
      throw new IllegalArgumentException("failing on purpose");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("message", "Hello, " + event.getOrDefault("name", "world"));
    out.put("requestId", context.getAwsRequestId());
    out.put("functionName", context.getFunctionName());
    out.put("remainingMs", context.getRemainingTimeInMillis());
    return out;
  }
}
