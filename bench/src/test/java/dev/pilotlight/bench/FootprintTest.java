package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FootprintTest {
  private static final String STATUS = """
      Name:\tjava
      VmPeak:\t 2482308 kB
      VmHWM:\t  151000 kB
      VmRSS:\t  139264 kB
      Threads:\t34
      """;

  @Test
  void residentMemoryIsReadFromVmRssNotThePeak() {
    assertThat(ProcessFootprint.rssKb(STATUS)).isEqualTo(139_264);
    assertThat(ProcessFootprint.rssKb("Name:\tzombie\nState:\tZ (zombie)\n")).isZero();
  }

  @Test
  void cpuIsAShareOfOneCoreOverTheWindowAndADescendantBornInItCountsFromZero() throws Exception {
    var before = new ProcessFootprint(100_000, 1_000, 0, Map.of(7L, 50L, 8L, 10L), Map.of(21L, 40L));
    var after = new ProcessFootprint(100_000, 1_015, 0, Map.of(7L, 53L, 9L, 6L), Map.of(21L, 43L, 22L, 3L)); // 8 ended, 9 was born
    assertThat(after.cpuPercentSince(before, 30)).isEqualTo(0.5); // 15 ticks = 0.15 s over 30 s
    assertThat(after.descendantsCpuPercentSince(before, 30)).isEqualTo(0.3); // 3 + 6 ticks
    assertThat(after.jitCpuPercentSince(before, 30)).isEqualTo(0.2); // 3 + 3 ticks, a second compiler thread started
    assertThat(ProcessFootprint.of(ProcessHandle.current().pid()).rssKb()).isPositive();
  }

  @Test
  void aThreadIsAJitCompilerByItsNameWhichMayHoldSpacesAndParentheses() throws Exception {
    String c2 = "4242 (C2 CompilerThre) S 1 1 1 0 -1 1077936192 0 0 0 0 120 7 0 0 20 0 30 0 100 0 0";
    assertThat(ProcessFootprint.isJitCompiler(c2)).isTrue();
    assertThat(ProcessFootprint.ticks(c2)).isEqualTo(127);
    assertThat(ProcessFootprint.isJitCompiler("4243 (C1 CompilerThre) S 1 1 1 0 -1 0 0 0 0 0 5 1 0 0 20 0 30 0 100 0 0")).isTrue();
    assertThat(ProcessFootprint.isJitCompiler("4244 (scaling-loop) S 1 1 1 0 -1 0 0 0 0 0 5 1 0 0 20 0 30 0 100 0 0")).isFalse();
    assertThat(ProcessFootprint.isJitCompiler("4245 (a (C2 CompilerThre) S 1 1 1 0 -1 0 0 0 0 0 5 1 0 0 20 0 30 0 100 0 0")).isFalse();
    assertThat(ProcessFootprint.jitTicks(ProcessHandle.current().pid())).as("this JVM has compiler threads").isNotEmpty();
  }

  @Test
  void theTableAndTheJsonCarryEverySizeWithItsBaseline() throws Exception {
    Summary list = new Summary(30, 1.5, 2, 3);
    Summary deploy = new Summary(30, 20, 25, 40);
    List<FootprintCommand.Size> sizes = List.of(
        new FootprintCommand.Size(0, 0, 100, 0.2, 0.05, 150, 0.1, list, 20, deploy),
        new FootprintCommand.Size(1_000, 9.5, 140, 0.4, 0.13, 150, 0.1, list, 700_000, deploy),
        new FootprintCommand.Size(10_000, 90, 230, 0.9, 0.2, 150, 0.1, list, 7_000_000, deploy));
    String table = FootprintCommand.table("hello-python", sizes, 30, 30);
    assertThat(table).contains("0 (base)", "1,000", "140.0", "0.40", "0.13", "targets (issue 13)",
        "0 → 1,000 functions: 41 KB more daemon memory per function added; deploying them took 9.5 s",
        "1,000 → 10,000 functions: 10 KB more daemon memory per function added; deploying them took 90.0 s");
    JsonNode json = new ObjectMapper().readTree(FootprintCommand.jsonText("hello-python", sizes, 30, 30));
    assertThat(json.path("sizes")).hasSize(3);
    assertThat(json.path("sizes").get(1).path("daemonRssMb").asDouble()).isEqualTo(140);
    assertThat(json.path("sizes").get(1).path("daemonJitCpuPercent").asDouble()).isEqualTo(0.13);
    assertThat(json.path("sizes").get(1).path("listMs").path("p50").asDouble()).isEqualTo(1.5);
    assertThat(FootprintCommand.name(42)).isEqualTo("fp-00042");
  }

  @Test
  void badSizesFailBeforeAnythingStarts() {
    var err = new ByteArrayOutputStream();
    int exit = Main.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), "footprint", "--functions", "100", "--then", "50");
    assertThat(exit).isEqualTo(Main.EXIT_FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--then 0 or more than --functions");
  }
}
