package dev.pilotlight.store;

import org.junit.jupiter.api.extension.RegisterExtension;


/** Every schedule test again on PostgreSQL (a tick fires once in the cluster: ScheduleStoreTest's compare-and-set). */
class PostgresScheduleStoreTest extends ScheduleStoreTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Override
  AsyncQueue open() {
    return AsyncQueue.open(db.database(), "node-a");
  }
}
