package io.pachyderm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: left-aligned columns two spaces apart, one line per row, no trailing blanks. */
final class Table {
  /** A long cell (an exception text) would push every row off the screen; cut cells here. */
  static final int CELL_CHARS_MAX = 100;

  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    this.header = header.clone();
  }

  /** Adds a row of exactly as many cells as the header has; each is made one line and cut. */
  Table row(String... cells) {
    if (cells.length != header.length) {
      throw new IllegalStateException("row of " + cells.length + " cells in a table of " + header.length
          + " columns");
    }
    String[] cut = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      cut[i] = cell(cells[i]);
    }
    rows.add(cut);
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[header.length];
    List<String[]> all = new ArrayList<>(rows.size() + 1);
    all.add(header);
    all.addAll(rows);
    for (String[] row : all) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        boolean last = i == row.length - 1;
        line.append(last ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  /** A count, or "-" for the -1 of an unreachable node. */
  static String number(long n) {
    return n < 0 ? "-" : Long.toString(n);
  }

  private static String cell(String s) {
    String line = PachydermCli.oneLine(s);
    return line.length() <= CELL_CHARS_MAX ? line : line.substring(0, CELL_CHARS_MAX) + "...";
  }
}
