/**
 * Snapshot files and the event journal (on Chronicle Queue). Chronicle's jars are automatic modules
 * ({@code chronicle.queue}, {@code chronicle.wire}, {@code chronicle.bytes}, {@code chronicle.core}); at run time Chronicle
 * needs the JVM flags of {@code pachyderm.jvm.flags} in the parent pom, given to the class path
 * (README, "Modules").
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.pachyderm.storage {
  requires transitive io.pachyderm.entity;
  requires transitive io.pachyderm.protocol;
  requires chronicle.queue;
  requires chronicle.wire;
  requires chronicle.bytes;
  requires chronicle.core;
  requires org.slf4j;
  requires rocksdbjni;

  exports io.pachyderm.storage to io.pachyderm.node, io.pachyderm.bench;
  exports io.pachyderm.storage.journal to io.pachyderm.node, io.pachyderm.local, io.pachyderm.cli, io.pachyderm.bench;
}
