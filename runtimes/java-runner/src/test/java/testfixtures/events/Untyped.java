package testfixtures.events;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.Map;

/** A plain method whose declared output is Object but returns an AWS event class. */
public class Untyped {
  public Object respond(Map<String, Object> event) {
    return new APIGatewayProxyResponseEvent().withStatusCode(201).withBody("made " + event.get("name"))
        .withIsBase64Encoded(false);
  }
}
