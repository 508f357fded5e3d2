package io.pachyderm.cli;

import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "status",
    description = {
        "Prints each node's own report: role, leader, term, indexes, entities, and its outbox: messages "
            + "and at-least-once effects not yet delivered, dead letters, pending timers.",
        "Exits 1 when no node reports itself leader, so scripts can wait for one."})
final class StatusCommand implements Callable<Integer> {
  private static final String[] HEADER = {"NODE", "ROLE", "LEADER", "TERM", "COMMIT", "APPLIED", "SNAPSHOT",
      "ENTITIES", "PENDING-MSGS", "PENDING-EFFECTS", "DEAD-LETTERS", "TIMERS", "JOURNAL", "DIGEST", "ERROR"};

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
    Table table = new Table(HEADER);
    for (NodeView v : views) {
      table.row(v.nodeId(), v.role(), v.leaderId().isEmpty() ? "-" : v.leaderId(), Table.number(v.term()),
          Table.number(v.commitIndex()), Table.number(v.appliedIndex()), Table.number(v.snapshotIndex()),
          Table.number(v.entities()), Table.number(v.pendingMessages()), Table.number(v.pendingEffects()),
          Table.number(v.deadLetters()), Table.number(v.timers()),
          v.reachable() && v.journalRecords() < 0 ? "off" : Table.number(v.journalRecords()),
          v.reachable() ? NodeView.hex(v.digest()) : "-", v.error());
    }
    table.print(out);
  }
}
