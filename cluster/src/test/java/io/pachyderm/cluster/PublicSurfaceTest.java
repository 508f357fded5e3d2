package io.pachyderm.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.surface.PublicSurfaceScan;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster module's public packages ({@code io.pachyderm.cluster}, {@code io.pachyderm.cluster.tls}),
 * which the client and the node both re-export, show no Ratis, protobuf or internal type (issue 13,
 * item 6): the conversions to Ratis' types live in {@link RatisCluster}.
 */
class PublicSurfaceTest {
  private static final PublicSurfaceScan SCAN = PublicSurfaceScan.forbidding("io.pachyderm.protocol.",
      "com.google.protobuf.", "org.apache.ratis.", "io.pachyderm.cluster.internal.");

  @Test
  void noPublicSignatureInTheClusterPackagesHoldsARatisProtobufOrInternalType() {
    List<Class<?>> classes = PublicSurfaceScan.publicClasses(List.of(Peer.class, TlsFiles.class));
    assertThat(classes).as("the scan finds the API's classes").contains(Peer.class, Transport.class,
        ClusterIdentity.class, TlsFiles.class, TlsMaterial.class);

    assertThat(SCAN.offenders(classes)).as("public signatures with Ratis, protobuf or internal types; move them "
        + "behind io.pachyderm.cluster.internal").isEmpty();
  }

  @Test
  void theCheckSeesRatisTypesInReturnsAndParameters() {
    // The internal conversions are what the check must catch if they came back to the API.
    List<String> found = SCAN.offenders(RatisCluster.class);
    assertThat(found).anyMatch(o -> o.startsWith(RatisCluster.class.getName() + "#rpcType ")
            && o.endsWith("org.apache.ratis.rpc.SupportedRpcType"))
        .anyMatch(o -> o.startsWith(RatisCluster.class.getName() + "#group ")
            && o.endsWith("org.apache.ratis.protocol.RaftGroupId"));
  }

  @Test
  void aScanWithoutForbiddenPackagesIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PublicSurfaceScan.forbidding("org.apache.ratis"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("org.apache.ratis");
  }
}
