package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A Kinesis batch: each record's data (base64 in the event, a ByteBuffer here) as text. */
public class KinesisHandler implements RequestHandler<KinesisEvent, List<String>> {
  @Override
  public List<String> handleRequest(KinesisEvent event, Context context) {
    List<String> data = new ArrayList<>();
    for (KinesisEvent.KinesisEventRecord record : event.getRecords()) {
      data.add(StandardCharsets.UTF_8.decode(record.getKinesis().getData()).toString());
    }
    return data;
  }
}
