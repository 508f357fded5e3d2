package io.pachyderm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "status",
    description = {
        "Prints each node's own report: role, leader, term, indexes, entities, and its outbox: messages "
            + "and at-least-once effects not yet delivered, dead letters, pending timers; EFFECTS is 'paused' "
            + "while an operator paused at-least-once effects ('admin pause-effects').",
        "Exits 1 when no node reports itself leader, so scripts can wait for one.",
        "With --json: one JSON array, an object per node, for scripts (e.g. jq)."})
final class StatusCommand implements Callable<Integer> {
  private static final String[] HEADER = {"NODE", "ROLE", "LEADER", "TERM", "COMMIT", "APPLIED", "SNAPSHOT",
      "ENTITIES", "PENDING-MSGS", "PENDING-EFFECTS", "DEAD-LETTERS", "TIMERS", "EFFECTS", "JOURNAL", "DIGEST", "ERROR"};

  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Option(names = "--json", description = "One JSON array with an object per node instead of the table.")
  boolean json;

  @Override
  public Integer call() {
    List<NodeView> views;
    try (PachydermClient c = client.connect()) {
      views = c.status();
    }
    if (json) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(Json.write(toJson(views)));
      out.flush();
    } else {
      printTable(spec.commandLine().getOut(), views);
    }
    if (leaders(views) == 0) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": no node reports itself leader (yet)");
      return PachydermCli.EXIT_FAILURE;
    }
    return PachydermCli.EXIT_OK;
  }

  static long leaders(List<NodeView> views) {
    return views.stream().filter(v -> "LEADER".equals(v.role())).count();
  }

  /**
   * The nodes' reports as JSON: the table's columns plus what it leaves out (leader readiness,
   * messages delivered, timers fired, the journal's index), numbers as numbers, the digest as the
   * table's 16 hex digits; an unreachable node has role UNREACHABLE, -1 counts and its error.
   */
  static ArrayNode toJson(List<NodeView> views) {
    ArrayNode nodes = Json.object().arrayNode();
    for (NodeView v : views) {
      ObjectNode n = nodes.addObject();
      n.put("node", v.nodeId()).put("reachable", v.reachable()).put("role", v.role())
          .put("leader", v.leaderId()).put("leader_ready", v.leaderReady()).put("term", v.term())
          .put("commit_index", v.commitIndex()).put("applied_index", v.appliedIndex())
          .put("snapshot_index", v.snapshotIndex()).put("entities", v.entities())
          .put("pending_messages", v.pendingMessages()).put("pending_effects", v.pendingEffects())
          .put("dead_letters", v.deadLetters()).put("timers", v.timers()).put("effects_paused", v.effectsPaused())
          .put("messages_delivered", v.messagesDelivered()).put("timers_fired", v.timersFired())
          .put("journal_records", v.journalRecords()).put("journal_index", v.journalIndex())
          .put("digest", v.reachable() ? NodeView.hex(v.digest()) : null).put("error", v.error());
    }
    return nodes;
  }

  static void printTable(PrintWriter out, List<NodeView> views) {
    Table table = new Table(HEADER);
    for (NodeView v : views) {
      table.row(v.nodeId(), v.role(), v.leaderId().isEmpty() ? "-" : v.leaderId(), Table.number(v.term()),
          Table.number(v.commitIndex()), Table.number(v.appliedIndex()), Table.number(v.snapshotIndex()),
          Table.number(v.entities()), Table.number(v.pendingMessages()), Table.number(v.pendingEffects()),
          Table.number(v.deadLetters()), Table.number(v.timers()),
          !v.reachable() ? "-" : v.effectsPaused() ? "paused" : "on",
          v.reachable() && v.journalRecords() < 0 ? "off" : Table.number(v.journalRecords()),
          v.reachable() ? NodeView.hex(v.digest()) : "-", v.error());
    }
    table.print(out);
  }
}
