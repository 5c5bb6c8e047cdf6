package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md documents every declared setting, its {@code deploy} flag and its {@code serve} flag, the keys that are no
 * settings ({@code rollout}, {@code schedule}, {@code events}, {@code package}, {@code build}), and no other key.
 */
class ConfigurationDocTest {
  private static final Pattern FIRST_CODE = Pattern.compile("`([^`\\s]+)");

  @Test
  void theManifestTableHasARowPerDeclaredSettingWithItsFlag() throws IOException {
    Map<String, String> rows = rows(section("## The manifest"));
    Map<String, String> declared = new LinkedHashMap<>();
    FunctionSettings.ALL.forEach(s -> declared.put(s.key(), Objects.requireNonNullElse(s.flag(), "—")));
    declared.put("rollout", "--rollout");
    declared.put("schedule", "schedule");
    declared.put("events", "events");
    declared.put("package", "—");
    declared.put("build", "—");
    assertThat(rows).containsExactlyEntriesOf(declared);
  }

  @Test
  void theServeTableHasEveryDaemonFlagOfASetting() throws IOException {
    Map<String, String> rows = rows(section("## The daemon"));
    for (Setting<?> s : FunctionSettings.ALL) {
      if (s.daemonFlag() != null) {
        assertThat(rows).as(s.key()).containsKey(s.daemonFlag());
      }
    }
  }

  /** First cell's first code word → last cell's first code word (or its text when it has none). */
  private static Map<String, String> rows(List<String> lines) {
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : lines) {
      if (!line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.substring(1, line.length() - 1).split(" \\| ");
      String last = cells[cells.length - 1].trim();
      Matcher flag = FIRST_CODE.matcher(last);
      rows.put(firstCode(cells[0]), flag.find() ? flag.group(1) : last);
    }
    return rows;
  }

  private static String firstCode(String cell) {
    Matcher m = FIRST_CODE.matcher(cell);
    return m.find() ? m.group(1) : cell.trim();
  }

  private static List<String> section(String heading) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("..", "docs", "configuration.md"));
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(heading)) {
        start = i + 1;
      } else if (start >= 0 && lines.get(i).startsWith("## ")) {
        return lines.subList(start, i);
      }
    }
    assertThat(start).as(heading).isPositive();
    return lines.subList(start, lines.size());
  }
}
