package io.pachyderm.cli;

import io.pachyderm.client.Admin;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.node.NodeReseed;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pachyderm reseed}: prepares a stopped node to be re-seeded from the leader's snapshot
 * (README, "Re-seeding a node"). Moves aside what a re-seed replaces ({@link NodeReseed}), then has
 * the cluster's leader step down while this node is still down: a leader that knew this node's old
 * log keeps sending from there, and only a new term forgets it.
 */
@Command(name = "reseed",
    description = {
        "Prepares a STOPPED node whose snapshot or state is damaged (its start fails naming a checkpoint file) to "
            + "fetch the leader's snapshot at its next start: moves its snapshots (raft/<group>/sm), Raft log "
            + "segments and disk store (state) into DIR/reseed-<UTC time>/, deleting nothing, and keeps its "
            + "cluster id, Raft term and vote, peers and event journal. Then the leader steps down (the "
            + "others elect one that knows nothing of this node's old log). Then start the node as before.",
        "Run it on one node at a time, with the other nodes of the cluster up: it checks first that every other "
            + "node answers and has applied what the leader committed. --peers names the cluster "
            + "(the other nodes suffice); the cluster id is read from DIR/cluster-id."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        " 0:moved aside (or nothing left to move) and the leader stepped down: start the node",
        " 1:failure: a move failed (what moved is under DIR/reseed-*), or the step-down did not happen (run this "
            + "again, or 'pachyderm admin step-down', before starting the node)",
        " 2:refused, nothing changed: a node is running on DIR, or another node is down, no leader answers, or a"
            + " node has not applied what the leader committed (an emptied log must not vote with a lagging node)",
        "64:bad input: DIR is not a node's data directory, or bad options"})
final class ReseedCommand implements Callable<Integer> {
  /** How long a node behind the leader's commit index gets to catch up before the command refuses. */
  static final java.time.Duration CATCH_UP_WAIT = java.time.Duration.ofSeconds(30);

  @Spec
  CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "The stopped node's data directory.")
  Path dataDir;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() throws IOException {
    Path clusterIdFile = dataDir.resolve("cluster-id");
    if (client.clusterId == null && Files.isRegularFile(clusterIdFile)) {
      // The node's own cluster, whatever subset of the peers is given.
      client.clusterId = Files.readString(clusterIdFile, StandardCharsets.UTF_8).trim();
    }
    // Built first: bad client options are bad input before anything moves.
    try (PachydermClient c = client.connect()) {
      PrintWriter err = spec.commandLine().getErr();
      // This directory first (no cluster needed to refuse it), then the cluster, then the moves.
      try {
        NodeReseed.check(dataDir);
      } catch (IllegalArgumentException | IllegalStateException e) {
        return refused(err, e);
      }
      String refusal;
      try {
        refusal = ReseedPrecondition.whyNot(c::status, CATCH_UP_WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        refusal = "interrupted while checking the other nodes";
      }
      if (refusal != null) {
        err.println("reseed: refused, nothing changed: " + PachydermCli.oneLine(refusal));
        return PachydermCli.EXIT_REJECTED;
      }
      return reseed(c.admin(), spec.commandLine().getOut(), spec.commandLine().getErr());
    }
  }

  /**
   * NodeReseed's two refusals: not a node's directory (bad input, exit 64), or a node that must not
   * be re-seeded now (a lock held, exit 2); either way nothing was moved.
   */
  private static int refused(PrintWriter err, RuntimeException e) {
    if (e instanceof IllegalArgumentException) {
      err.println("reseed: " + PachydermCli.oneLine(e.getMessage()));
      return PachydermCli.EXIT_BAD_INPUT;
    }
    err.println("reseed: refused, nothing changed: " + PachydermCli.oneLine(e.getMessage()));
    return PachydermCli.EXIT_REJECTED;
  }

  private int reseed(Admin admin, PrintWriter out, PrintWriter err) throws IOException {
    NodeReseed.Result result;
    try {
      result = NodeReseed.moveAside(dataDir, ZonedDateTime.now(ZoneOffset.UTC));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return refused(err, e);
    }
    if (result.moved().isEmpty()) {
      out.println("nothing to move aside in " + dataDir + " (no snapshot, log segment or disk store left)");
    }
    for (NodeReseed.Moved m : result.moved()) {
      out.println("moved " + m.from() + " -> " + m.to());
    }
    for (Path k : result.kept()) {
      out.println("kept  " + k);
    }
    out.flush();
    try {
      Admin.LeaderChange change = admin.stepDown();
      out.println(change.from() + " stepped down (term " + change.fromTerm() + "); leader: " + change.to()
          + " (term " + change.toTerm() + "). Start the node as before: it fetches the leader's snapshot.");
    } catch (RuntimeException e) {
      err.println("reseed: files moved aside, but the leader did not step down: " + PachydermCli.describe(e)
          + "; run this command again (nothing is left to move) or 'pachyderm admin step-down' before starting"
          + " the node");
      return PachydermCli.EXIT_FAILURE;
    } finally {
      out.flush();
    }
    return PachydermCli.EXIT_OK;
  }
}
