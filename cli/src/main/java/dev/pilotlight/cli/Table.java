package dev.pilotlight.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: a header row, columns two spaces apart, each as wide as its widest cell.
 * Numeric columns are right-aligned; the last column is never padded on the right.
 */
final class Table {
  private final List<String> headers = new ArrayList<>();
  private final List<Boolean> rightAligned = new ArrayList<>();
  private final List<List<String>> rows = new ArrayList<>();

  /** Adds a left-aligned column. */
  Table left(String header) {
    return column(header, false);
  }

  /** Adds a right-aligned column, for numbers. */
  Table right(String header) {
    return column(header, true);
  }

  private Table column(String header, boolean right) {
    if (!rows.isEmpty()) {
      throw new IllegalStateException("columns must be declared before rows");
    }
    headers.add(header);
    rightAligned.add(right);
    return this;
  }

  /** Adds a row; null cells print as {@code -}. */
  Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + headers.size() + ")");
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell == null ? "-" : cell.toString());
    }
    rows.add(row);
    return this;
  }

  /** The table, one line per row, each ending with a newline. */
  String render() {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, headers, widths);
    for (List<String> row : rows) {
      line(sb, row, widths);
    }
    return sb.toString();
  }

  private void line(StringBuilder sb, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        line.append("  ");
      }
      String cell = cells.get(i);
      String pad = " ".repeat(widths[i] - cell.length());
      line.append(rightAligned.get(i) ? pad + cell : cell + pad);
    }
    sb.append(line.toString().stripTrailing()).append('\n');
  }
}
