package testfixtures;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** The input type is bound by a subclass, not here. */
public abstract class BaseHandler<T> implements RequestHandler<T, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(T input, Context context) {
    return summarize(input);
  }

  protected abstract Map<String, Object> summarize(T input);
}
