package testfixtures.events;

import java.util.ArrayList;
import java.util.List;

/** An input POJO shaped like S3Event was to the runner's own binder: its data in a final field, no setter. */
public class FinalRecords {
  private final List<String> records = new ArrayList<>();
  private String source;

  public List<String> getRecords() {
    return records;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }

  public String handle(FinalRecords event) {
    return event.getSource() + ":" + event.getRecords().size();
  }
}
