package testfixtures.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Each record's data (a base64 ByteBuffer in the event) decoded as UTF-8. */
public class KinesisData implements RequestHandler<KinesisEvent, List<String>> {
  @Override
  public List<String> handleRequest(KinesisEvent event, Context context) {
    List<String> data = new ArrayList<>();
    for (KinesisEvent.KinesisEventRecord record : event.getRecords()) {
      data.add(StandardCharsets.UTF_8.decode(record.getKinesis().getData()).toString());
    }
    return data;
  }
}
