package dev.pilotlight.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Every schedule test again on PostgreSQL (a tick fires once in the cluster: ScheduleStoreTest's compare-and-set). */
class PostgresScheduleStoreTest extends ScheduleStoreTest {
  private TestDatabase db;

  @BeforeEach
  void createSchema() {
    db = TestDatabase.create();
  }

  @AfterEach
  void dropSchema() {
    db.close();
  }

  @Override
  AsyncQueue open() {
    return AsyncQueue.open(db.database(), "node-a");
  }
}
