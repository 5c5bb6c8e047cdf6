package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import org.joda.time.DateTimeZone;

/** An EventBridge (CloudWatch Events) schedule: its time (a Joda DateTime), source and first resource. */
public class ScheduledHandler implements RequestHandler<ScheduledEvent, String> {
  @Override
  public String handleRequest(ScheduledEvent event, Context context) {
    return event.getTime().withZone(DateTimeZone.UTC) + " " + event.getSource() + " " + event.getResources().get(0);
  }
}
