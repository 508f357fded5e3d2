/**
 * The simulation ecosystem: users' tests explore their entities' message orderings here, each step
 * run through the node's own replica core ({@code io.pachyderm.replica}), which it reads but does
 * not pass on: only {@code io.pachyderm.simulation} is exported.
 */
@SuppressWarnings("module")
module io.pachyderm.simulation {
  requires transitive io.pachyderm.entity;
  requires io.pachyderm.protocol;
  requires io.pachyderm.replica;

  exports io.pachyderm.simulation;
}
