package io.pachyderm.bench;

import io.pachyderm.api.Entities;
import io.pachyderm.bench.statestore.StoreKind;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.status.OutboxStats;
import java.nio.file.Path;
import java.time.Duration;

/** {@link LocalPachyderm} with its default (naturally batching) client. */
final class LocalTarget implements Target {
  /** LocalPachyderm's node always belongs to the default cluster. */

  private final LocalPachyderm local;

  private LocalTarget(LocalPachyderm local) {
    this.local = local;
  }

  static LocalTarget open(Path dir, Duration requestTimeout, StoreKind store) {
    return new LocalTarget(store.configure(LocalPachyderm.builder(dir))
        .entityTypes(InProcessCluster.TYPES)
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { })
        .requestTimeout(requestTimeout)
        .open());
  }

  @Override
  public Entities entities() {
    return local;
  }

  @Override
  public long committedBatchesMax() {
    return NodeProbe.committedBatches(local.node());
  }

  @Override
  public long termMax() {
    return NodeProbe.term(local.node());
  }

  @Override
  public OutboxStats leaderOutbox() {
    return local.node().outboxStats();
  }

  @Override
  public void close() {
    local.close();
  }
}
