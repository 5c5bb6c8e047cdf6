package testfixtures;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** A handler whose static initialiser leaves a trace: how many times it ran, over all loaders. */
public class InitCounted implements RequestHandler<Object, String> {
  static {
    System.setProperty("testfixtures.initcounted", Integer.toString(Integer.getInteger("testfixtures.initcounted", 0) + 1));
  }

  @Override
  public String handleRequest(Object event, Context context) {
    return "initialised " + Integer.getInteger("testfixtures.initcounted", 0) + " times";
  }
}
