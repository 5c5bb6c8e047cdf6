package testfixtures.events;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;

/** As AWS's java-events sample: the first record's bucket and URL-decoded key. */
public class S3Bucket implements RequestHandler<S3Event, String> {
  @Override
  public String handleRequest(S3Event event, Context context) {
    S3EventNotificationRecord record = event.getRecords().get(0);
    return record.getS3().getBucket().getName() + "/" + record.getS3().getObject().getUrlDecodedKey();
  }
}
