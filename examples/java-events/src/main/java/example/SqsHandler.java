package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;

/** An SQS batch: each message's id, body and source ARN. */
public class SqsHandler implements RequestHandler<SQSEvent, List<String>> {
  @Override
  public List<String> handleRequest(SQSEvent event, Context context) {
    List<String> seen = new ArrayList<>();
    for (SQSEvent.SQSMessage message : event.getRecords()) {
      seen.add(message.getMessageId() + " " + message.getBody() + " " + message.getEventSourceArn());
    }
    return seen;
  }
}
