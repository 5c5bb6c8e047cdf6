package testfixtures;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Answers "together" only when two invocations are in flight at once. */
public class Rendezvous {
  private static final CountDownLatch BOTH = new CountDownLatch(2);

  public String handleRequest() throws InterruptedException {
    BOTH.countDown();
    return BOTH.await(10, TimeUnit.SECONDS) ? "together" : "alone";
  }
}
