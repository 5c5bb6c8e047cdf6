package testfixtures;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reports what the runner tells a function about itself. */
public class ContextProbe implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    context.getLogger().log("probe log for " + context.getAwsRequestId());
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("requestId", context.getAwsRequestId());
    result.put("functionName", context.getFunctionName());
    result.put("functionVersion", context.getFunctionVersion());
    result.put("memory", context.getMemoryLimitInMB());
    result.put("arn", context.getInvokedFunctionArn());
    result.put("logGroup", context.getLogGroupName());
    result.put("logStream", context.getLogStreamName());
    result.put("remainingPositive", context.getRemainingTimeInMillis() > 0);
    result.put("identity", context.getIdentity());
    result.put("trace", System.getProperty("com.amazonaws.xray.traceHeader"));
    result.put("tccl", Thread.currentThread().getContextClassLoader() == getClass().getClassLoader());
    result.put("event", event);
    return result;
  }
}
