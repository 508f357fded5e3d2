/**
 * The client of a cluster. {@code io.pachyderm.client.internal} (the Ratis connection and the encoded
 * operations) is exported to the CLI and the chaos suite only.
 *
 * <p>Ratis' jars name no module: they are automatic modules named after their files
 * ({@code ratis.client}, {@code ratis.common}, {@code ratis.grpc}, {@code ratis.thirdparty.misc}), hence the
 * suppressed lint on requiring them. The node cannot do the same (README, "Modules").
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.pachyderm.client {
  requires transitive io.pachyderm.entity;
  requires transitive io.pachyderm.cluster;
  requires io.pachyderm.protocol;
  requires ratis.client;
  requires ratis.common;
  requires ratis.grpc;
  requires ratis.thirdparty.misc;
  requires org.slf4j;

  exports io.pachyderm.client;
  // The chaos suite's follow workload reads raw history pages to check them against the journal.
  exports io.pachyderm.client.internal to io.pachyderm.cli, io.pachyderm.chaos, io.pachyderm.local;
}
