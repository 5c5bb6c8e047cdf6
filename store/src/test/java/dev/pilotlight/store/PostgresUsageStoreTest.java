package dev.pilotlight.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Every usage test again on PostgreSQL. */
class PostgresUsageStoreTest extends UsageStoreTest {
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
  UsageStore open() {
    return UsageStore.open(db.database());
  }
}
