package io.pachyderm.cli;

import io.pachyderm.client.Admin;
import io.pachyderm.client.AdminRefusedException;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pachyderm admin ...}: the operator's actions, over {@link PachydermClient#admin()}. Each
 * subcommand takes the client options ({@code --peers}, TLS); under mutual TLS the certificate must
 * be an admin's ({@code URI:pachyderm:admin:<name>}) or a member's.
 */
@Command(name = "admin",
    description = {
        "The operator's actions: take a snapshot now, move or give up leadership, pause and resume "
            + "at-least-once effects, compact the event journal.",
        "Under mutual TLS they need an admin certificate (subject alternative name URI:pachyderm:admin:<name>) "
            + "or a member's; others are refused (exit 2)."},
    subcommands = {AdminCommand.Snapshot.class, AdminCommand.TransferLeader.class, AdminCommand.StepDown.class,
        AdminCommand.PauseEffects.class, AdminCommand.ResumeEffects.class, AdminCommand.CompactJournal.class},
    exitCodeListHeading = "%nExit codes (every admin subcommand):%n",
    exitCodeList = {
        " 0:done (or nothing to do: already paused, already leader)",
        " 1:failure (a node did not answer, I/O)",
        " 2:refused, nothing changed: not allowed now (no leader; journal kept forever or absent; the "
            + "certificate may not administer)",
        " 3:outcome unknown: no answer in time; it may or may not have taken effect ('status' shows)",
        "64:bad input (an unknown node id, options, peers)"})
final class AdminCommand implements Runnable {
  static final String EXIT_CODES_NOTE = "Exit codes: 0 done, 1 failure, 2 refused (nothing changed), "
      + "3 outcome unknown, 64 bad input.";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: snapshot, transfer-leader, step-down, "
        + "pause-effects, resume-effects or compact-journal");
  }

  /** One admin action; an {@link AdminRefusedException} is printed as a refusal and exits 2. */
  abstract static class Action implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    /** Runs the action, printing its result; returns the exit code. */
    abstract int act(Admin admin, PrintWriter out);

    @Override
    public Integer call() {
      int code;
      try (PachydermClient c = client.connect()) {
        code = act(c.admin(), spec.commandLine().getOut());
      } catch (AdminRefusedException e) {
        refused(e);
        code = PachydermCli.EXIT_REJECTED;
      }
      spec.commandLine().getOut().flush();
      return code;
    }

    void refused(AdminRefusedException e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": refused: " + PachydermCli.oneLine(e.getMessage()));
    }

    /**
     * Runs {@code action} on {@code only} or on every node, a line each; a node that refuses or
     * fails does not stop the others. Exit: 1 if any failed, else 2 if any refused, else 0.
     */
    <T> int onNodes(Admin admin, String only, List<Peer> peers, BiFunction<Admin, String, T> action,
                    java.util.function.Consumer<T> print) {
      List<String> ids = new ArrayList<>();
      if (only != null) {
        ids.add(only);
      } else {
        for (Peer p : peers) {
          ids.add(p.id());
        }
      }
      boolean anyRefused = false;
      boolean anyFailed = false;
      for (String id : ids) {
        try {
          print.accept(action.apply(admin, id));
        } catch (AdminRefusedException e) {
          refused(e);
          anyRefused = true;
        } catch (IllegalArgumentException e) {
          throw e; // an unknown --node: bad input, before anything was done
        } catch (RuntimeException e) {
          spec.commandLine().getErr().println(spec.qualifiedName() + ": node " + id + ": "
              + PachydermCli.describe(e));
          anyFailed = true;
        }
      }
      return anyFailed ? PachydermCli.EXIT_FAILURE : anyRefused ? PachydermCli.EXIT_REJECTED : PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "snapshot",
      description = {"Has each node (or the one given with --node) take a snapshot of its applied state now, and "
          + "prints each node's snapshot index. Raft log entries older than a snapshot may then be purged, as "
          + "after an automatic one.", EXIT_CODES_NOTE})
  static final class Snapshot extends Action {
    @Option(names = "--node", paramLabel = "ID", description = "Only this node. Default: every node of --peers.")
    String node;

    @Override
    int act(Admin admin, PrintWriter out) {
      return onNodes(admin, node, ClientOptions.parsePeers(client.peers), Admin::snapshot,
          s -> out.println(s.nodeId() + ": snapshot at log index " + s.index()));
    }
  }

  @Command(name = "transfer-leader",
      description = {"Hands leadership to NODE (the leader brings it up to date, then has it start an election) and "
          + "waits until NODE reports itself leader. Nothing happens when NODE already leads.", EXIT_CODES_NOTE})
  static final class TransferLeader extends Action {
    @Parameters(index = "0", paramLabel = "NODE", description = "The node id (one of --peers) to lead.")
    String node;

    @Override
    int act(Admin admin, PrintWriter out) {
      Admin.LeaderChange change = admin.transferLeadership(node);
      if (change.from().equals(change.to())) {
        out.println("leader: " + change.to() + " (term " + change.toTerm() + "); it already led, nothing changed");
      } else {
        out.println("leader: " + change.to() + " (term " + change.toTerm() + "; was " + change.from() + ", term "
            + change.fromTerm() + ")");
      }
      return PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "step-down",
      description = {"The leader gives up leadership and an election follows; waits for a leader of a later term "
          + "(possibly the same node, re-elected). Refused when no node reports itself leader.", EXIT_CODES_NOTE})
  static final class StepDown extends Action {
    @Override
    int act(Admin admin, PrintWriter out) {
      Admin.LeaderChange change = admin.stepDown();
      out.println(change.from() + " stepped down (term " + change.fromTerm() + "); leader: " + change.to()
          + " (term " + change.toTerm() + ")");
      return PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "pause-effects",
      description = {"Pauses at-least-once effects cluster-wide: a replicated setting that holds across leader "
          + "changes and restarts. While paused no leader starts an attempt: effects wait in the outbox, their "
          + "attempts do not count and none becomes a dead letter (an attempt already running finishes). "
          + "At-most-once effects, messages and timers go on. 'status' shows EFFECTS paused.", EXIT_CODES_NOTE})
  static final class PauseEffects extends Action {
    @Override
    int act(Admin admin, PrintWriter out) {
      out.println(admin.pauseEffects() ? "at-least-once effects paused"
          : "at-least-once effects were already paused; nothing changed");
      return PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "resume-effects",
      description = {"Resumes at-least-once effects: the leader dispatches every pending one now.", EXIT_CODES_NOTE})
  static final class ResumeEffects extends Action {
    @Override
    int act(Admin admin, PrintWriter out) {
      out.println(admin.resumeEffects() ? "at-least-once effects resumed"
          : "at-least-once effects were not paused; nothing changed");
      return PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "compact-journal",
      description = {"Applies each node's (or --node's) event journal retention now: deletes whole journal files of "
          + "cycles older than the retained ones (node --journal-retain N keeps the newest N files of its "
          + "--journal-roll), never the newest file. Refused on a node that keeps its journal forever (the "
          + "default) or keeps none.", EXIT_CODES_NOTE})
  static final class CompactJournal extends Action {
    @Option(names = "--node", paramLabel = "ID", description = "Only this node. Default: every node of --peers.")
    String node;

    @Override
    int act(Admin admin, PrintWriter out) {
      return onNodes(admin, node, ClientOptions.parsePeers(client.peers), Admin::compactJournal, c -> {
        String files = c.deletedFiles().size() == 1 ? " file" : " files";
        out.println(c.nodeId() + ": deleted " + c.deletedFiles().size() + " journal" + files
            + (c.deletedFiles().isEmpty() ? "" : " (" + Table.number(c.deletedBytes()) + " bytes: "
                + String.join(", ", c.deletedFiles()) + ")")
            + "; kept " + c.keptFiles() + " (retention: the newest " + c.retainedCyclesMax() + " "
            + c.rollCycle().toLowerCase(java.util.Locale.ROOT) + " files), " + Table.number(c.records())
            + " events");
      });
    }
  }
}
