package dev.pilotlight.store;

import dev.pilotlight.model.FunctionSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * {@link LogStore} with one append-mode file per function and an in-memory fan-out to followers.
 *
 * <p>Appends only queue their lines; one writer thread ({@code log-writer}) writes them. While lines
 * keep coming it writes what has gathered every {@link #WRITE_DELAY}, so under load many invocations'
 * lines cost one system call per function's file, and the threads that append (the daemon's event
 * loops among them) make none. After a quiet spell the first append wakes it at once. Readers
 * ({@link #tail}) write what is queued first, so they never miss a line.
 *
 * <p>A function's file is open only while its lines keep coming: when the writer has nothing left
 * to write it closes every file it finds idle and drops their write buffers. A daemon with 10,000
 * functions deployed holds no file and no buffer for those not being called (the file descriptors
 * and 64 KB per function it held before ran out at scale); a busy one keeps its file open between
 * the writer's rounds.
 */
final class FileLogStore implements LogStore {
  static final long DEFAULT_MAX_FILE_BYTES = 10L * 1024 * 1024;
  static final int DEFAULT_FOLLOWER_BACKLOG = 10_000;
  /** How long the writer gathers lines while they keep coming: the most a line waits for its file. */
  static final Duration WRITE_DELAY = Duration.ofMillis(10);

  private static final System.Logger LOG = System.getLogger(FileLogStore.class.getName());

  private final Path dir;
  private final InstantSource clock;
  private final long maxFileBytes;
  private final int followerBacklog;
  private final Map<String, FunctionLog> logs = new ConcurrentHashMap<>();
  /** Logs with queued lines, each at most once (see {@link FunctionLog#marked}). */
  private final ConcurrentLinkedQueue<FunctionLog> dirty = new ConcurrentLinkedQueue<>();
  /** True while the writer waits for lines with nothing to do; the append that clears it wakes it. */
  private final AtomicBoolean writerIdle = new AtomicBoolean();
  /** Logs whose file is open (see {@link FunctionLog#releaseIfQuiet}): the writer closes the idle ones before it waits. */
  private final Set<FunctionLog> open = ConcurrentHashMap.newKeySet();
  /** The writer thread; null while there is none. A writer that is no longer this one ends. */
  private volatile Thread writer;

  FileLogStore(Path dir, InstantSource clock, long maxFileBytes, int followerBacklog) {
    this.dir = dir;
    this.clock = clock;
    this.maxFileBytes = maxFileBytes;
    this.followerBacklog = followerBacklog;
  }

  static FileLogStore open(Path dir, InstantSource clock) {
    if (dir == null || clock == null) {
      throw new IllegalArgumentException("log store: dir and clock are required");
    }
    Path abs = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new StoreException("log store " + abs + ": cannot create the directory: " + e.getMessage(), e);
    }
    return new FileLogStore(abs, clock, DEFAULT_MAX_FILE_BYTES, DEFAULT_FOLLOWER_BACKLOG);
  }

  @Override
  public void append(String function, String instanceId, String requestId, String message) {
    if (instanceId == null || instanceId.isBlank()) {
      throw new IllegalArgumentException("instanceId: '" + instanceId + "' (expected: the instance that printed the line)");
    }
    FunctionLog log = log(function);
    long now = clock.millis();
    log.write(encode(second(now), (int) Math.floorMod(now, 1000L), requestId == null || requestId.isBlank() ? "-" : requestId, instanceId,
        message == null ? "" : message));
  }

  /** The length of a line's timestamp, {@code 2026-11-21T23:59:01.123Z}. */
  static final int STAMP_LENGTH = 24;

  /**
   * The file's bytes for {@code text}: each of its lines (split as {@link String#lines()} splits,
   * at least one) as {@code <stamp> <requestId> [<instanceId>] <line>\n}, in UTF-8. Built in one
   * array, with no string in between: what the writer writes and, split at {@code '\n'} again,
   * what followers get (UTF-8 never has the byte {@code '\n'} or {@code '\r'} inside a character,
   * so the split can be made on the bytes).
   *
   * @param second the timestamp up to its second, {@code 2026-11-21T23:59:01.}, in ASCII
   * @param millis the timestamp's milliseconds
   */
  static byte[] encode(byte[] second, int millis, String requestId, String instanceId, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    int n = body.length;
    int lines = 0;
    int breaks = 0; // bytes of the line breaks, which the output replaces with one '\n' each
    for (int i = 0; i < n; i++) {
      byte b = body[i];
      if (b == '\n' || b == '\r') {
        lines++;
        int width = b == '\r' && i + 1 < n && body[i + 1] == '\n' ? 2 : 1;
        breaks += width;
        i += width - 1;
      }
    }
    if (n == 0 || (body[n - 1] != '\n' && body[n - 1] != '\r')) {
      lines++; // the last line has no break of its own (an empty text is one empty line)
    }
    // the prefix: written once at the start (ids in ASCII, the usual case, without a copy), then copied
    byte[] ids = isAscii(requestId) && isAscii(instanceId) ? null
        : (" " + requestId + " [" + instanceId + "] ").getBytes(StandardCharsets.UTF_8);
    int head = STAMP_LENGTH + (ids == null ? requestId.length() + instanceId.length() + 5 : ids.length);
    byte[] out = new byte[lines * (head + 1) + n - breaks];
    System.arraycopy(second, 0, out, 0, STAMP_LENGTH - 4);
    out[STAMP_LENGTH - 4] = (byte) ('0' + millis / 100);
    out[STAMP_LENGTH - 3] = (byte) ('0' + millis / 10 % 10);
    out[STAMP_LENGTH - 2] = (byte) ('0' + millis % 10);
    out[STAMP_LENGTH - 1] = 'Z';
    if (ids == null) {
      int at = STAMP_LENGTH;
      out[at++] = ' ';
      at = putAscii(out, at, requestId);
      out[at++] = ' ';
      out[at++] = '[';
      at = putAscii(out, at, instanceId);
      out[at++] = ']';
      out[at] = ' ';
    } else {
      System.arraycopy(ids, 0, out, STAMP_LENGTH, ids.length);
    }
    int at = 0;
    int start = 0;
    do {
      int end = start;
      while (end < n && body[end] != '\n' && body[end] != '\r') {
        end++;
      }
      if (at > 0) {
        System.arraycopy(out, 0, out, at, head);
      }
      at += head;
      System.arraycopy(body, start, out, at, end - start);
      at += end - start;
      out[at++] = '\n';
      start = end < n && body[end] == '\r' && end + 1 < n && body[end + 1] == '\n' ? end + 2 : end + 1;
    } while (start < n);
    return out;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static int putAscii(byte[] out, int at, String s) {
    for (int i = 0; i < s.length(); i++) {
      out[at++] = (byte) s.charAt(i);
    }
    return at;
  }

  /** {@code 2026-11-21T23:59:01.} for {@code epochMillis}, in ASCII: formatted once a second. */
  private byte[] second(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000L);
    FormattedSecond last = lastSecond;
    if (last.epochSecond != second) {
      last = new FormattedSecond(second, secondPrefix(second));
      lastSecond = last;
    }
    return last.text;
  }

  /**
   * {@code 2026-11-21T23:59:01.} (UTC) in ASCII. Written out by hand rather than by a
   * {@code DateTimeFormatter}: the first line of a new second is often a cold start's, when the
   * formatter's many small methods still run in the interpreter.
   */
  static byte[] secondPrefix(long epochSecond) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
    byte[] out = new byte[20];
    int year = t.getYear(); // four digits from year 1000 to 9999, as every clock this runs on reads
    out[0] = (byte) ('0' + year / 1000 % 10);
    out[1] = (byte) ('0' + year / 100 % 10);
    out[2] = (byte) ('0' + year / 10 % 10);
    out[3] = (byte) ('0' + year % 10);
    out[4] = '-';
    twoDigits(out, 5, t.getMonthValue());
    out[7] = '-';
    twoDigits(out, 8, t.getDayOfMonth());
    out[10] = 'T';
    twoDigits(out, 11, t.getHour());
    out[13] = ':';
    twoDigits(out, 14, t.getMinute());
    out[16] = ':';
    twoDigits(out, 17, t.getSecond());
    out[19] = '.';
    return out;
  }

  private static void twoDigits(byte[] out, int at, int n) {
    out[at] = (byte) ('0' + n / 10);
    out[at + 1] = (byte) ('0' + n % 10);
  }

  private record FormattedSecond(long epochSecond, byte[] text) {}

  private volatile FormattedSecond lastSecond = new FormattedSecond(Long.MIN_VALUE, new byte[0]);

  @Override
  public List<String> tail(String function, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n: " + n + " (expected: >= 0)");
    }
    return log(function).tail(n);
  }

  @Override
  public Subscription follow(String function, Consumer<String> onLine) {
    if (onLine == null) {
      throw new IllegalArgumentException("onLine: null (expected: a consumer of lines)");
    }
    FunctionLog log = log(function);
    var follower = new LogFollower(function, onLine, followerBacklog, log.followers::remove);
    log.followers.add(follower);
    return follower;
  }

  @Override
  public void delete(String function) {
    log(function).delete();
  }

  @Override
  public void flush() {
    for (FunctionLog log : logs.values()) {
      log.flush();
    }
  }

  @Override
  public void close() {
    Thread stopped;
    synchronized (this) {
      stopped = writer;
      writer = null;
    }
    if (stopped != null) {
      LockSupport.unpark(stopped);
      try {
        stopped.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // What the writer left is written below; an append after this hands its log to a new writer.
    for (FunctionLog log; (log = dirty.poll()) != null; ) {
      log.marked.set(false);
    }
    for (FunctionLog log : logs.values()) {
      log.close();
    }
  }

  /** Called by an append whose log had nothing queued: makes sure the writer will come for it. */
  private void wake() {
    Thread w;
    synchronized (this) {
      w = writer;
      if (w == null || !w.isAlive()) {
        Thread started = Thread.ofPlatform().daemon().name("log-writer").unstarted(this::writeLoop);
        writer = started;
        started.start();
        return;
      }
    }
    if (writerIdle.compareAndSet(true, false)) {
      LockSupport.unpark(w);
    }
  }

  private void writeLoop() {
    Thread self = Thread.currentThread();
    while (writer == self) {
      boolean wrote = false;
      for (FunctionLog log; (log = dirty.poll()) != null; ) {
        log.marked.set(false);
        wrote = true;
        try {
          log.writeQueued();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
      }
      if (wrote) {
        LockSupport.parkNanos(WRITE_DELAY.toNanos()); // let the next lines gather
        continue;
      }
      for (FunctionLog log : open) {
        log.releaseIfQuiet(); // nothing queued anywhere: the files can close until lines come again
      }
      writerIdle.set(true);
      if (!dirty.isEmpty()) { // queued between the poll and the flag: no one will wake us for it
        writerIdle.set(false);
        continue;
      }
      while (writerIdle.get() && writer == self) {
        LockSupport.park(this);
      }
    }
  }

  /** How many functions' files are open now; for tests. */
  int openFiles() {
    return open.size();
  }

  /** How many followers {@code function} has; for tests. */
  int followerCount(String function) {
    return log(function).followers.size();
  }

  private FunctionLog log(String function) {
    FunctionLog known = logs.get(function);
    if (known != null) {
      return known; // validated when it was added: no pattern match per line
    }
    // The name becomes a file name, so only valid function names (no '/', no '..') get this far.
    FunctionSpec.validateName(function);
    return logs.computeIfAbsent(function, FunctionLog::new);
  }

  /** Batches up to this size are gathered in each log's kept buffer and written at once; a larger batch goes out in several writes. */
  private static final int CHUNK_KEPT = 64 * 1024;
  /** A new write buffer's size: a few lines, grown as batches need up to {@link #CHUNK_KEPT}. */
  private static final int KEPT_INITIAL = 1024;

  /** One function's files and followers; the lock orders writes, rotation and reads of the files. */
  private final class FunctionLog {
    private final ReentrantLock lock = new ReentrantLock();
    /** Appends waiting for the writer, each the bytes of its lines ({@link #encode}). */
    private final ConcurrentLinkedQueue<byte[]> queued = new ConcurrentLinkedQueue<>();
    /** Whether this log is in {@code dirty}: set by the append that queues it, cleared by the writer. */
    final AtomicBoolean marked = new AtomicBoolean();
    private final Path current;
    private final Path rotated;
    final List<LogFollower> followers = new CopyOnWriteArrayList<>();
    private OutputStream out; // guarded by lock; null while closed
    /**
     * The buffer of a drain's writes, kept from drain to drain while the file is open (guarded by
     * lock): the usual batch, a few lines, needs no new one. Null while the file is closed.
     */
    private ByteArrayOutputStream kept;
    private long size; // guarded by lock: bytes in current

    FunctionLog(String function) {
      this.current = dir.resolve(function + ".log");
      this.rotated = dir.resolve(function + ".log.1");
    }

    /**
     * Queues an append's bytes and, if this log had nothing queued, hands it to the writer thread.
     * The writer, a reader ({@link #tail}) or {@link #flush} writes everything queued under the
     * lock; one that finds the lock taken leaves its lines to the holder, which checks the queue
     * again after unlocking.
     */
    void write(byte[] bytes) {
      queued.add(bytes);
      if (marked.compareAndSet(false, true)) {
        dirty.add(this);
        wake();
      }
    }

    /** Writes everything queued now, waiting for the lock if another thread is writing. */
    void flush() {
      lock.lock();
      try {
        drain();
      } finally {
        lock.unlock();
      }
    }

    /** Writes what is queued unless another holds the lock; whoever holds it calls this after unlocking. */
    void writeQueued() {
      while (!queued.isEmpty() && lock.tryLock()) {
        try {
          drain();
        } finally {
          lock.unlock();
        }
      }
    }

    /** Writes what is queued; the caller holds the lock. */
    private void drain() {
      List<byte[]> batch = new ArrayList<>();
      for (byte[] p; (p = queued.poll()) != null; ) {
        batch.add(p);
      }
      if (batch.isEmpty()) {
        return;
      }
      try {
        if (out == null) {
          out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          open.add(this);
          size = Files.size(current);
        }
        // As few writes as the cap allows; none straddles two files (an append larger than the
        // cap alone goes into a file of its own).
        for (byte[] p : batch) {
          if (size + kept() > 0 && size + kept() + p.length > maxFileBytes) {
            writeKept();
            rotate();
          }
          buffer(p);
        }
        writeKept();
        // Offering under the lock keeps every follower's order the same as the file's.
        for (LogFollower f : followers) {
          offer(f, batch);
        }
      } catch (IOException e) {
        closeQuietly();
        throw new StoreException("log " + current + ": append failed (" + batch.size() + " appends lost): " + e.getMessage(), e);
      }
    }

    /**
     * Adds {@code p} to the kept buffer, writing what it holds first when the two would pass
     * {@link #CHUNK_KEPT}; an append larger than that goes out alone (no batch-sized buffer is made).
     */
    private void buffer(byte[] p) throws IOException {
      if (kept() + p.length > CHUNK_KEPT) {
        writeKept();
      }
      if (p.length > CHUNK_KEPT) {
        out.write(p);
        size += p.length;
        return;
      }
      if (kept == null) {
        kept = new ByteArrayOutputStream(KEPT_INITIAL);
      }
      kept.write(p, 0, p.length);
    }

    /** Bytes in the kept buffer, not yet written. */
    private int kept() {
      return kept == null ? 0 : kept.size();
    }

    /** Writes the kept buffer's bytes to the current file (unbuffered: they reach the OS now) and empties it. */
    private void writeKept() throws IOException {
      if (kept() > 0) {
        kept.writeTo(out);
        size += kept.size();
        kept.reset();
      }
    }

    private void rotate() throws IOException {
      if (size == 0) {
        return;
      }
      out.close();
      out = null;
      Files.move(current, rotated, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND); // still in open
      size = 0;
    }

    List<String> tail(int n) {
      lock.lock();
      try {
        drain();
        List<String> newest = lastLines(current, n);
        if (newest.size() >= n) {
          return newest;
        }
        List<String> all = new ArrayList<>(lastLines(rotated, n - newest.size()));
        all.addAll(newest);
        return all;
      } catch (IOException e) {
        throw new StoreException("log " + current + ": reading failed: " + e.getMessage(), e);
      } finally {
        lock.unlock();
        writeQueued(); // lines appended while this read held the lock
      }
    }

    void delete() {
      lock.lock();
      try {
        queued.clear();
        closeQuietly();
        Files.deleteIfExists(current);
        Files.deleteIfExists(rotated);
        size = 0;
      } catch (IOException e) {
        throw new StoreException("log " + current + ": delete failed: " + e.getMessage(), e);
      } finally {
        lock.unlock();
      }
    }

    void close() {
      lock.lock();
      try {
        try {
          drain();
        } catch (StoreException e) {
          // closing anyway
        }
        closeQuietly();
      } finally {
        lock.unlock();
      }
      for (LogFollower f : followers) {
        f.close();
      }
    }

    /**
     * Closes the file and drops the write buffer when nothing is queued and no one else holds the
     * lock (one that does writes and comes back here, or the writer's next round does).
     */
    void releaseIfQuiet() {
      if (!lock.tryLock()) {
        return;
      }
      try {
        if (queued.isEmpty()) {
          closeQuietly();
        }
      } finally {
        lock.unlock();
      }
    }

    private void closeQuietly() {
      kept = null;
      if (out != null) {
        try {
          out.close();
        } catch (IOException ignored) {
          // nothing buffered: every write went straight to the OS
        }
        out = null;
      }
      open.remove(this); // after the close: a log not in open holds no file descriptor
    }
  }

  /**
   * Offers the lines of {@code batch} (appends as {@link #encode} made them) to {@code f} in order,
   * until it takes no more (it is then being dropped).
   */
  private static void offer(LogFollower f, List<byte[]> batch) {
    for (byte[] p : batch) {
      int start = 0;
      for (int i = 0; i < p.length; i++) {
        if (p[i] == '\n') {
          if (!f.offer(new String(p, start, i - start, StandardCharsets.UTF_8))) {
            return;
          }
          start = i + 1;
        }
      }
    }
  }

  /**
   * The last {@code n} lines of {@code file}, read backwards from the end so a tail of a 10 MB file
   * costs only what it returns. Safe to split on the byte '\n': UTF-8 never uses it inside a character.
   */
  static List<String> lastLines(Path file, int n) throws IOException {
    if (n == 0) {
      return List.of();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long start = 0;
      int newlines = 0;
      ByteBuffer buf = ByteBuffer.allocate(8192);
      long end = size - 1; // the file's own final '\n' ends the last line, it does not start one
      scan:
      while (end > 0) {
        long from = Math.max(0, end - buf.capacity());
        buf.clear().limit((int) (end - from));
        while (buf.hasRemaining() && ch.read(buf, from + buf.position()) >= 0) {
          // read fully
        }
        for (int i = buf.position() - 1; i >= 0; i--) {
          if (buf.get(i) == '\n' && ++newlines == n) {
            start = from + i + 1;
            break scan;
          }
        }
        end = from;
      }
      ByteBuffer text = ByteBuffer.allocate((int) (size - start));
      while (text.hasRemaining() && ch.read(text, start + text.position()) >= 0) {
        // read fully
      }
      return new String(text.array(), 0, text.position(), StandardCharsets.UTF_8).lines().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }
}
