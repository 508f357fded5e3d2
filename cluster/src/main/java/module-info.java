/**
 * One cluster as its nodes and clients both describe it (peers, transport, TLS files, cluster id).
 * {@code io.pachyderm.cluster.internal} holds what the node, the client and the tools share and
 * users do not see.
 *
 * <p>Ratis' jars name no module: {@code ratis.common} and {@code ratis.grpc} are automatic modules named
 * after their files, hence the suppressed lint on requiring them.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.pachyderm.cluster {
  requires transitive io.pachyderm.entity;
  requires ratis.common;
  requires ratis.grpc;
  requires ratis.thirdparty.misc;
  requires java.logging;
  requires org.slf4j;

  exports io.pachyderm.cluster;
  exports io.pachyderm.cluster.tls;
  exports io.pachyderm.cluster.internal to io.pachyderm.client, io.pachyderm.node, io.pachyderm.local, io.pachyderm.cli,
      io.pachyderm.bench;
}
