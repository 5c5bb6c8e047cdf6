package testfixtures.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisFirehoseEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Firehose records in, upper-cased data out: ByteBuffers both ways. */
public class Preprocess implements RequestHandler<KinesisFirehoseEvent, KinesisAnalyticsInputPreprocessingResponse> {
  @Override
  public KinesisAnalyticsInputPreprocessingResponse handleRequest(KinesisFirehoseEvent event, Context context) {
    List<KinesisAnalyticsInputPreprocessingResponse.Record> records = new ArrayList<>();
    for (KinesisFirehoseEvent.Record record : event.getRecords()) {
      String text = StandardCharsets.UTF_8.decode(record.getData()).toString().toUpperCase(Locale.ROOT);
      records.add(new KinesisAnalyticsInputPreprocessingResponse.Record(record.getRecordId(),
          KinesisAnalyticsInputPreprocessingResponse.Result.Ok, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }
    return new KinesisAnalyticsInputPreprocessingResponse(records);
  }
}
