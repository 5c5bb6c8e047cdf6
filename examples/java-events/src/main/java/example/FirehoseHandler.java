package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse.Record;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse.Result;
import com.amazonaws.services.lambda.runtime.events.KinesisFirehoseEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Firehose transformation: every record's data upper-cased, answered with ByteBuffers. */
public class FirehoseHandler implements RequestHandler<KinesisFirehoseEvent, KinesisAnalyticsInputPreprocessingResponse> {
  @Override
  public KinesisAnalyticsInputPreprocessingResponse handleRequest(KinesisFirehoseEvent event, Context context) {
    List<Record> records = new ArrayList<>();
    for (KinesisFirehoseEvent.Record record : event.getRecords()) {
      String text = StandardCharsets.UTF_8.decode(record.getData()).toString();
      ByteBuffer upper = ByteBuffer.wrap(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      records.add(new Record(record.getRecordId(), Result.Ok, upper));
    }
    return new KinesisAnalyticsInputPreprocessingResponse(records);
  }
}
