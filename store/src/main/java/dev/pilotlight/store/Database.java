package dev.pilotlight.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a store's tables are: one SQLite file of this machine ({@link GuardedConnection}) or a
 * PostgreSQL database several daemons share ({@link PostgresDatabase}). The stores' SQL is the
 * same on both; what differs is asked here. SQL errors become {@link StoreException}s naming the
 * store and the operation.
 */
interface Database extends AutoCloseable {
  /** Work on a connection. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} on a connection in auto-commit mode. */
  <T> T withConnection(String what, Work<T> work);

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  <T> T inTransaction(String what, Work<T> work);

  /**
   * Runs {@code work} on {@code c} as one transaction: committed if it returns, rolled back if it
   * throws; {@code c} is back in auto-commit mode after.
   */
  static <T> T transaction(Connection c, Work<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** True for PostgreSQL: several daemons may be writing the same tables at once. */
  boolean shared();

  /**
   * Within a transaction, waits until no other daemon holds {@code key} and holds it until the
   * transaction ends (PostgreSQL's transaction-level advisory lock). SQLite's transactions already
   * lock the whole file, so there it does nothing.
   */
  void lock(Connection c, String key) throws SQLException;

  /**
   * What ends a {@code SELECT} that claims rows for this daemon: {@code FOR UPDATE SKIP LOCKED}
   * on PostgreSQL (rows another daemon is claiming are passed over, not waited for), nothing on
   * SQLite.
   */
  String claimRows();

  @Override
  void close();
}
