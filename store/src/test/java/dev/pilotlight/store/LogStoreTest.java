package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
  /** Bound on waiting for another thread's delivery; generous, and never the thing under test. */
  private static final long DELIVERY_WAIT_SECONDS = 10;

  @TempDir Path dir;
  ManualClock clock = new ManualClock(Instant.parse("2026-11-21T23:59:01.123Z"));
  LogStore logs;

  @BeforeEach
  void open() {
    logs = LogStore.open(dir, clock);
  }

  @AfterEach
  void close() {
    logs.close();
  }

  @Test
  void linesCarryTimestampRequestAndInstance() throws Exception {
    logs.append("hello", "i-1", "req-42", "started");
    clock.advanceMillis(1);
    logs.append("hello", "i-1", null, "no request");
    clock.set(Instant.parse("2026-11-22T00:00:00Z"));
    logs.append("hello", "i-2", "", "blank request");

    List<String> expected = List.of(
        "2026-11-21T23:59:01.123Z req-42 [i-1] started",
        "2026-11-21T23:59:01.124Z - [i-1] no request",
        "2026-11-22T00:00:00.000Z - [i-2] blank request");
    assertThat(logs.tail("hello", 10)).isEqualTo(expected);
    assertThat(Files.readAllLines(dir.resolve("hello.log"))).isEqualTo(expected); // the tail wrote them first
  }

  @Test
  void linesReachTheFileWithoutAReaderOrAFlush() throws Exception {
    logs.append("quiet", "i-1", "r", "written by the writer thread");
    Path file = dir.resolve("quiet.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DELIVERY_WAIT_SECONDS);
    while (!(Files.exists(file) && Files.readString(file).contains("written by the writer thread")) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(Files.readAllLines(file)).extracting(LogStoreTest::message).containsExactly("written by the writer thread");
  }

  @Test
  void afterACloseTheWriterComesBackForTheNextLines() throws Exception {
    logs.append("again", "i-1", "r", "before the close");
    logs.close(); // writes it and stops the writer
    logs.append("again", "i-1", "r", "after the close");
    Path file = dir.resolve("again.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DELIVERY_WAIT_SECONDS);
    while (!Files.readString(file).contains("after the close") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(Files.readAllLines(file)).extracting(LogStoreTest::message).containsExactly("before the close", "after the close");
  }

  @Test
  void flushWritesEveryQueuedLineBeforeReturning() throws Exception {
    for (int i = 0; i < 1_000; i++) {
      logs.append("f", "i", null, "line " + i);
    }
    logs.flush();
    assertThat(Files.readAllLines(dir.resolve("f.log"))).hasSize(1_000).last().asString().endsWith("line 999");
  }

  @Test
  void appendsFromManyThreadsAllLandWholeAndInEachThreadsOrder() throws Exception {
    int threads = 8;
    int each = 2_000;
    var pool = Executors.newFixedThreadPool(threads);
    var start = new CountDownLatch(1);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            logs.append("busy", "i-" + id, "r", "line " + i);
          }
          return null;
        }));
      }
      start.countDown();
      for (var f : done) {
        f.get(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    logs.flush();
    List<String> lines = Files.readAllLines(dir.resolve("busy.log"));
    assertThat(lines).hasSize(threads * each);
    int[] next = new int[threads];
    for (String line : lines) {
      var m = Pattern.compile(".* r \\[i-(\\d+)\\] line (\\d+)").matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      int id = Integer.parseInt(m.group(1));
      assertThat(Integer.parseInt(m.group(2))).isEqualTo(next[id]++);
    }
    assertThat(logs.tail("busy", 1)).containsExactly(lines.getLast());
  }

  @Test
  void multiLineMessagesBecomeSeveralLines() {
    logs.append("f", "i", "r", "one\ntwo\r\nthree\n");
    logs.append("f", "i", "r", "");
    assertThat(logs.tail("f", 10)).containsExactly(
        "2026-11-21T23:59:01.123Z r [i] one",
        "2026-11-21T23:59:01.123Z r [i] two",
        "2026-11-21T23:59:01.123Z r [i] three",
        "2026-11-21T23:59:01.123Z r [i] ");
    logs.append("g", "i", "r", "a\n\nb\rc");
    assertThat(logs.tail("g", 10)).extracting(LogStoreTest::message).containsExactly("a", "", "b", "c");
  }

  @Test
  void anAppendLargerThanTheWriteBufferLandsWholeBetweenItsNeighbours() {
    String big = "x".repeat(100 * 1024); // past the 64 KB a batch is gathered in
    logs.append("f", "i", null, "before");
    logs.append("f", "i", null, big);
    logs.append("f", "i", null, "after");
    assertThat(logs.tail("f", 10)).extracting(LogStoreTest::message).containsExactly("before", big, "after");
  }

  @Test
  void tailReturnsTheLastLinesOldestFirst() {
    for (int i = 0; i < 50; i++) {
      logs.append("f", "i", null, "line " + i);
    }
    assertThat(logs.tail("f", 3)).extracting(LogStoreTest::message).containsExactly("line 47", "line 48", "line 49");
    assertThat(logs.tail("f", 0)).isEmpty();
    assertThat(logs.tail("f", 1000)).hasSize(50);
    assertThat(logs.tail("never-logged", 5)).isEmpty();
    assertThatThrownBy(() -> logs.tail("f", -1)).hasMessage("n: -1 (expected: >= 0)");
  }

  @Test
  void tailReadsFarBackInALongFile() {
    // Longer than one 8 KB read-back block, with multi-byte characters straddling block edges.
    for (int i = 0; i < 2000; i++) {
      logs.append("f", "i", null, "é line " + i + " ü");
    }
    List<String> last = logs.tail("f", 1500);
    assertThat(last).hasSize(1500);
    assertThat(message(last.getFirst())).isEqualTo("é line 500 ü");
    assertThat(message(last.getLast())).isEqualTo("é line 1999 ü");
  }

  @Test
  void filesRotateAtTheCapAndTailSpansBoth() throws Exception {
    var small = new FileLogStore(dir, clock, 1000, 100);
    for (int i = 0; i < 100; i++) {
      small.append("f", "i", null, String.format("line %03d", i)); // 45 bytes a line
    }
    small.flush(); // one batch, still cut at the cap
    assertThat(Files.size(dir.resolve("f.log"))).isLessThanOrEqualTo(1000);
    assertThat(Files.size(dir.resolve("f.log.1"))).isLessThanOrEqualTo(1000);
    List<String> current = Files.readAllLines(dir.resolve("f.log"));

    List<String> tail = small.tail("f", current.size() + 5);
    assertThat(tail).extracting(LogStoreTest::message)
        .hasSize(current.size() + 5)
        .endsWith("line 099")
        .isSortedAccordingTo(String::compareTo);
    List<String> everything = small.tail("f", 10_000);
    assertThat(everything).extracting(LogStoreTest::message).endsWith("line 098", "line 099")
        .hasSize(current.size() + Files.readAllLines(dir.resolve("f.log.1")).size());
    small.close();
  }

  @Test
  void followDeliversLinesAppendedAfterTheCallUntilClosed() throws Exception {
    logs.append("f", "i", null, "before");
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    LogStore.Subscription sub = logs.follow("f", seen::add);
    logs.append("f", "i", "r1", "first\nsecond");
    logs.append("f", "i", "r2", "third");

    assertThat(List.of(next(seen), next(seen), next(seen))).extracting(LogStoreTest::message)
        .containsExactly("first", "second", "third");

    sub.close();
    assertThat(((FileLogStore) logs).followerCount("f")).isZero();
    logs.append("f", "i", null, "after close");
    assertThat(seen).isEmpty();
  }

  @Test
  void followersGetTheLinesTheFileGetsWhateverTheirBreaksAndCharacters() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    logs.follow("f", seen::add);
    logs.append("f", "i-é", "r", "grüße\r\n\rzwei\n");
    logs.append("f", "i", null, "");
    logs.append("f", "i", " ", "日本\n\n");

    List<String> followed = List.of(next(seen), next(seen), next(seen), next(seen), next(seen), next(seen));
    assertThat(followed).containsExactly(
        "2026-11-21T23:59:01.123Z r [i-é] grüße",
        "2026-11-21T23:59:01.123Z r [i-é] ",
        "2026-11-21T23:59:01.123Z r [i-é] zwei",
        "2026-11-21T23:59:01.123Z - [i] ",
        "2026-11-21T23:59:01.123Z - [i] 日本",
        "2026-11-21T23:59:01.123Z - [i] ");
    assertThat(logs.tail("f", 10)).isEqualTo(followed);
    assertThat(seen).isEmpty();
  }

  @Test
  void aThrowingFollowerIsDroppedWithoutBreakingAppendsOrOthers() throws Exception {
    var thrown = new CountDownLatch(1);
    logs.follow("f", line -> {
      thrown.countDown();
      throw new IllegalStateException("consumer bug");
    });
    BlockingQueue<String> healthy = new LinkedBlockingQueue<>();
    logs.follow("f", healthy::add);

    for (int i = 0; i < 5; i++) {
      logs.append("f", "i", null, "line " + i);
    }

    assertThat(thrown.await(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    List<String> received = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      received.add(message(next(healthy)));
    }
    assertThat(received).containsExactly("line 0", "line 1", "line 2", "line 3", "line 4");
    assertThat(logs.tail("f", 10)).hasSize(5);
  }

  @Test
  void aFollowerThatFallsBehindIsDroppedAndAppendsNeverWait() throws Exception {
    var small = new FileLogStore(dir, clock, FileLogStore.DEFAULT_MAX_FILE_BYTES, 2);
    var release = new CountDownLatch(1);
    var firstTaken = new CountDownLatch(1);
    small.follow("f", line -> {
      firstTaken.countDown();
      try {
        release.await(); // stuck consumer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    small.append("f", "i", null, "taken by the consumer");
    assertThat(firstTaken.await(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    for (int i = 0; i < 10; i++) {
      small.append("f", "i", null, "line " + i); // the backlog of 2 overflows: dropped, not waited for
    }
    small.flush();

    assertThat(small.followerCount("f")).isZero();
    assertThat(small.tail("f", 100)).hasSize(11);
    release.countDown();
    small.close();
  }

  @Test
  void concurrentAppendsNeverInterleaveWithinALine() throws Exception {
    try (var pool = Executors.newFixedThreadPool(8)) {
      for (int t = 0; t < 8; t++) {
        int thread = t;
        pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            logs.append("busy", "i-" + thread, "r-" + i, "x".repeat(100) + " from " + thread);
          }
        });
      }
    }
    Pattern line = Pattern.compile("\\S+ r-\\d+ \\[i-(\\d)] x{100} from \\1");
    assertThat(logs.tail("busy", 10_000)).hasSize(1600).allMatch(l -> line.matcher(l).matches());
  }

  @Test
  void deleteRemovesBothFilesAndLoggingCanStartAgain() {
    var small = new FileLogStore(dir, clock, 200, 100);
    for (int i = 0; i < 10; i++) {
      small.append("f", "i", null, "line " + i);
    }
    small.flush();
    assertThat(dir.resolve("f.log.1")).exists();
    small.delete("f");
    assertThat(dir.resolve("f.log")).doesNotExist();
    assertThat(dir.resolve("f.log.1")).doesNotExist();
    assertThat(small.tail("f", 10)).isEmpty();

    small.append("f", "i", null, "reborn");
    assertThat(small.tail("f", 10)).extracting(LogStoreTest::message).containsExactly("reborn");
    small.close();
  }

  @Test
  void anIdleLogHoldsNoOpenFileAndItsNextLinesFollowTheEarlierOnes() throws Exception {
    FileLogStore store = (FileLogStore) logs;
    for (int i = 0; i < 200; i++) {
      logs.append(String.format("fn-%03d", i), "i-1", "r", "deployed");
    }
    logs.flush(); // every line written (so every file opened) before the wait, whenever the writer thread gets to run
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DELIVERY_WAIT_SECONDS);
    while (store.openFiles() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(store.openFiles()).as("files still open once the writer has nothing to write").isZero();
    assertThat(openDescriptorsUnder(dir)).isZero();
    logs.append("fn-007", "i-1", "r", "called");
    assertThat(logs.tail("fn-007", 10)).extracting(LogStoreTest::message).containsExactly("deployed", "called");
  }

  /** The daemon's own file descriptors open on files under {@code dir} (Linux's /proc/self/fd). */
  private static long openDescriptorsUnder(Path dir) throws Exception {
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(dir);
        } catch (Exception gone) {
          return false;
        }
      }).count();
    }
  }

  @Test
  void closeReleasesFilesAndALaterAppendReopensThem() {
    logs.append("f", "i", null, "one");
    logs.close();
    logs.append("f", "i", null, "two");
    assertThat(logs.tail("f", 10)).extracting(LogStoreTest::message).containsExactly("one", "two");
  }

  @Test
  void functionNamesCannotReachOutsideTheDirectory() {
    assertThatThrownBy(() -> logs.append("../escape", "i", null, "x")).isInstanceOf(Failure.InvalidInput.class);
    assertThatThrownBy(() -> logs.tail("a/b", 1)).isInstanceOf(Failure.InvalidInput.class);
    assertThatThrownBy(() -> logs.append("f", null, null, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instanceId");
  }

  private static String next(BlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(line).as("a line delivered within %d s", DELIVERY_WAIT_SECONDS).isNotNull();
    return line;
  }

  /** The message part of a log line: everything after "] ". */
  private static String message(String line) {
    return line.substring(line.indexOf("] ") + 2);
  }

  @Test
  void aLinesSecondIsWrittenAsIsoUtcForEverySecondOfTheYearsAround() {
    java.time.format.DateTimeFormatter iso = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(java.time.ZoneOffset.UTC);
    // every 7,919 s (a prime: every hour, minute and second of the day comes up) from 1970 to 2100, leap days included
    for (long s = 0; s < 4_102_444_800L; s += 7_919) {
      assertThat(new String(FileLogStore.secondPrefix(s), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(iso.format(Instant.ofEpochSecond(s)));
    }
    assertThat(new String(FileLogStore.secondPrefix(1_709_164_800L), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("2024-02-29T00:00:00.");
  }
}
