package dev.pilotlight.store;

import org.junit.jupiter.api.extension.RegisterExtension;


/** Every usage test again on PostgreSQL. */
class PostgresUsageStoreTest extends UsageStoreTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Override
  UsageStore open() {
    return UsageStore.open(db.database());
  }
}
