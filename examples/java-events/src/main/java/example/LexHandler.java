package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.LexEvent;

/** A Lex code hook: the bot's name, the intent and one slot. */
public class LexHandler implements RequestHandler<LexEvent, String> {
  @Override
  public String handleRequest(LexEvent event, Context context) {
    return event.getBot().getName() + ":" + event.getCurrentIntent().getName() + ":"
        + event.getCurrentIntent().getSlots().get("FlowerType");
  }
}
