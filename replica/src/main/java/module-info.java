/** The replica core with no IO (apply, decide, outbox, dedup): the node's, not an API of its own. */
@SuppressWarnings("module")
module io.pachyderm.replica {
  requires transitive io.pachyderm.entity;
  requires transitive io.pachyderm.protocol;

  exports io.pachyderm.replica to io.pachyderm.node, io.pachyderm.local, io.pachyderm.simulation,
      io.pachyderm.statestore, io.pachyderm.bench.jmh;
}
