package io.pachyderm.cli;

import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "status",
    description = "Prints each node's own report: role, leader, term, indexes, entities. "
        + "Exits 1 when no node reports itself leader, so scripts can wait for one.")
final class StatusCommand implements Callable<Integer> {
  /** An unreachable node's error can be a long exception text; the table keeps one line per node. */
  private static final int ERROR_CHARS_MAX = 100;
  private static final String[] HEADER =
      {"NODE", "ROLE", "LEADER", "TERM", "COMMIT", "APPLIED", "SNAPSHOT", "ENTITIES", "ERROR"};

  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    List<NodeView> views;
    try (PachydermClient c = client.connect()) {
      views = c.status();
    }
    printTable(spec.commandLine().getOut(), views);
    if (leaders(views) == 0) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": no node reports itself leader (yet)");
      return PachydermCli.EXIT_FAILURE;
    }
    return PachydermCli.EXIT_OK;
  }

  static long leaders(List<NodeView> views) {
    return views.stream().filter(v -> "LEADER".equals(v.role())).count();
  }

  static void printTable(PrintWriter out, List<NodeView> views) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (NodeView v : views) {
      rows.add(new String[] {
          v.nodeId(), v.role(), v.leaderId().isEmpty() ? "-" : v.leaderId(), number(v.term()),
          number(v.commitIndex()), number(v.appliedIndex()), number(v.snapshotIndex()), number(v.entities()),
          error(v.error())});
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        boolean last = i == row.length - 1;
        line.append(last ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  private static String number(long n) {
    return n < 0 ? "-" : Long.toString(n);
  }

  private static String error(String e) {
    String line = PachydermCli.oneLine(e);
    return line.length() <= ERROR_CHARS_MAX ? line : line.substring(0, ERROR_CHARS_MAX) + "...";
  }
}
