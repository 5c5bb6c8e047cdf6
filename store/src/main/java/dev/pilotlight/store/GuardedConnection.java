package dev.pilotlight.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite connection used by one store, one caller at a time: the stores' traffic is a few
 * writes per deploy or event, so a single connection under a lock is plenty and keeps transactions
 * simple. SQL errors become {@link StoreException}s naming the store, its file and the operation.
 */
final class GuardedConnection implements Database {

  private final ReentrantLock lock = new ReentrantLock();
  private final String label;
  private final Path file;
  private Connection connection; // guarded by lock; null once closed

  GuardedConnection(String label, Path file, Connection connection) {
    this.label = label;
    this.file = file;
    this.connection = connection;
  }

  @Override
  public <T> T withConnection(String what, Work<T> work) {
    lock.lock();
    try {
      if (connection == null) {
        throw new StoreException(label + " " + file + ": " + what + ": the " + label + " is closed");
      }
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreException(label + " " + file + ": " + what + " failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T> T inTransaction(String what, Work<T> work) {
    return withConnection(what, c -> Database.transaction(c, work));
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public void lock(Connection c, String key) {
    // SQLite: the transaction (BEGIN IMMEDIATE) already holds the file's write lock
  }

  @Override
  public String claimRows() {
    return "";
  }

  /** Closes the connection; later calls fail with "closed". Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (connection != null) {
        connection.close();
        connection = null;
      }
    } catch (SQLException e) {
      throw new StoreException(label + " " + file + ": close failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }
}
