package dev.pilotlight.store;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;

/**
 * Each function's log: what its instances print, one file per function under a directory, plus a
 * live feed for {@code pilotlight logs --follow}. Lines look like
 * {@code 2026-11-21T23:59:01.123Z <requestId or -> [<instanceId>] <message>}. A file is rotated to
 * {@code <function>.log.1} when it would pass 10 MB, so a function keeps at most about 20 MB.
 * Thread-safe.
 */
public interface LogStore extends AutoCloseable {

  /** Opens (creating if needed) the log directory, stamping lines with the system clock. */
  static LogStore open(Path dir) {
    return open(dir, InstantSource.system());
  }

  /** Opens the log directory, stamping lines with {@code clock}. */
  static LogStore open(Path dir, InstantSource clock) {
    return FileLogStore.open(dir, clock);
  }

  /**
   * Appends {@code message}, one line per line it contains, and hands the lines to followers. The
   * lines are queued and written by a writer thread within about 10 ms (never fsynced: logs are not
   * worth a disk flush), so the caller makes no system call; {@link #tail} sees them at once. A
   * daemon killed outright loses the lines of its last few milliseconds.
   *
   * @param requestId the request being served, or null for output outside any request
   */
  void append(String function, String instanceId, String requestId, String message);

  /** The last {@code n} lines of {@code function}'s log, oldest first, across the rotated file. */
  List<String> tail(String function, int n);

  /**
   * Delivers every line appended to {@code function} after this call, in order, on a thread of its
   * own, until the subscription is closed. A consumer that throws, or falls 10,000 lines behind, is
   * dropped: it receives nothing more, and appends are never slowed by it.
   */
  Subscription follow(String function, Consumer<String> onLine);

  /** Writes every line appended so far to its file before returning. */
  void flush();

  /** Removes {@code function}'s log files; followers stay subscribed in case it is redeployed. */
  void delete(String function);

  /** Writes what is queued, closes open files and ends every follow; a later append opens its file again. */
  @Override
  void close();

  /** An active {@link #follow}; closing it stops delivery. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
