package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void columnsAreAsWideAsTheirWidestCell_numbersRightAligned_noTrailingSpaces() {
    String table = new Table().left("NAME").right("N").left("NOTE")
        .row("a", 1, "x")
        .row("longer-name", 12345, null)
        .render();

    assertThat(table).isEqualTo("""
        NAME             N  NOTE
        a                1  x
        longer-name  12345  -
        """);
  }

  @Test
  void rowsMustMatchTheColumns() {
    assertThatThrownBy(() -> new Table().left("A").row("1", "2"))
        .hasMessage("cells: 2 (expected: 1)");
  }

  @Test
  void formats() {
    assertThat(Formats.size(512)).isEqualTo("512 B");
    assertThat(Formats.size(4211)).isEqualTo("4.1 kB");
    assertThat(Formats.size(12 * 1024 * 1024 + 1)).isEqualTo("12.0 MB");
    assertThat(Formats.millis(1.94)).isEqualTo("1.9");
    assertThat(Formats.seconds(300.0)).isEqualTo("5m");
    assertThat(Formats.seconds(0.25)).isEqualTo("250ms");
  }
}
