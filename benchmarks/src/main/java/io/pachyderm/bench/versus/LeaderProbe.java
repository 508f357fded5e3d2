package io.pachyderm.bench.versus;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks a three-member system which member leads and whether a restarted member has caught up.
 * Members are named by their index in the endpoint list (0, 1, 2), the order the script started
 * their processes in. A member that does not answer is no leader and not caught up.
 */
sealed interface LeaderProbe extends AutoCloseable permits LeaderProbe.Pachyderm, LeaderProbe.Etcd {
  long STATUS_TIMEOUT_MS = 5_000;

  /** The index of the member that leads now, or -1 when none is known. */
  int leader();

  /** The leader's commit (etcd: raft) index, the history a restarted member replays or fetches; -1 if unknown. */
  long leaderIndex();

  /** Whether member {@code index} answers and has applied what the leader had committed. */
  boolean caughtUp(int index);

  @Override
  void close();

  /** A Pachyderm cluster: each node's own status report (role, commit and applied index). */
  final class Pachyderm implements LeaderProbe {
    private final PachydermClient client;
    private final List<String> nodeIds;

    Pachyderm(PachydermClient client, List<String> nodeIds) {
      this.client = client;
      this.nodeIds = List.copyOf(nodeIds);
    }

    @Override
    public int leader() {
      for (NodeView v : client.status()) {
        if (v.reachable() && "LEADER".equalsIgnoreCase(v.role())) {
          return nodeIds.indexOf(v.nodeId());
        }
      }
      return -1;
    }

    @Override
    public long leaderIndex() {
      for (NodeView v : client.status()) {
        if (v.reachable() && "LEADER".equalsIgnoreCase(v.role())) {
          return v.commitIndex();
        }
      }
      return -1;
    }

    @Override
    public boolean caughtUp(int index) {
      long leaderCommit = -1;
      long applied = -1;
      for (NodeView v : client.status()) {
        if (!v.reachable()) {
          continue;
        }
        if ("LEADER".equalsIgnoreCase(v.role())) {
          leaderCommit = v.commitIndex();
        }
        if (v.nodeId().equals(nodeIds.get(index))) {
          applied = v.appliedIndex();
        }
      }
      return leaderCommit >= 0 && applied >= leaderCommit;
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** etcd: each member's Maintenance.Status (its member id, the leader's id, its raft index). */
  final class Etcd implements LeaderProbe {
    private final Client client;
    private final List<String> targets;

    /** @param endpoints client URLs, {@code http://127.0.0.1:2379} */
    Etcd(List<String> endpoints) {
      this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
      this.targets = new ArrayList<>();
      for (String e : endpoints) {
        targets.add(e.replaceFirst("^https?://", ""));
      }
    }

    private StatusResponse status(int index) {
      try {
        return client.getMaintenanceClient().statusMember(targets.get(index))
            .get(STATUS_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (Exception e) {
        return null;
      }
    }

    @Override
    public int leader() {
      for (int i = 0; i < targets.size(); i++) {
        StatusResponse s = status(i);
        if (s != null && s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public long leaderIndex() {
      int leader = leader();
      StatusResponse s = leader < 0 ? null : status(leader);
      return s == null ? -1 : s.getRaftIndex();
    }

    @Override
    public boolean caughtUp(int index) {
      int leader = leader();
      StatusResponse mine = status(index);
      StatusResponse lead = leader < 0 ? null : status(leader);
      return mine != null && lead != null && mine.getRaftIndex() >= lead.getRaftIndex();
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
