/**
 * What users compile their entities against: the entity model, codecs and the client-side API (the
 * simulation is module {@code io.pachyderm.simulation}). {@code io.pachyderm.runtime} (the executors and keys the node, the client and the
 * wire format share) is exported only to those friends.
 *
 * <p>The friends named in qualified exports include modules that are not named modules yet (the node,
 * local, the CLI, the chaos tests: README, "Modules"); {@code ImportGraphTest} holds those to the
 * same lists, reading them from this descriptor, hence the suppressed "module not found" warning.
 */
@SuppressWarnings("module")
module io.pachyderm.entity {
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.pachyderm.api;
  exports io.pachyderm.codec;
  exports io.pachyderm.entity;
  exports io.pachyderm.runtime to io.pachyderm.protocol, io.pachyderm.replica, io.pachyderm.simulation,
      io.pachyderm.statestore, io.pachyderm.client, io.pachyderm.node,
      io.pachyderm.cli, io.pachyderm.chaos, io.pachyderm.bench.jmh;
}
