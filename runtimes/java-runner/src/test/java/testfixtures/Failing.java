package testfixtures;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

public class Failing implements RequestHandler<Object, Object> {
  @Override
  public Object handleRequest(Object input, Context context) {
    throw new IllegalStateException("boom", new IllegalArgumentException("root cause"));
  }
}
