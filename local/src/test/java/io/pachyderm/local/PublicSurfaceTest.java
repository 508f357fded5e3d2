package io.pachyderm.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.surface.PublicSurfaceScan;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.security.AuthorizationPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node's public API packages show no Ratis, protobuf or internal type (issue 13, item 6): no
 * public or protected member of a public class in {@code io.pachyderm.node},
 * {@code io.pachyderm.node.security}, {@code .settings}, {@code .status} or {@code io.pachyderm.local}
 * takes, returns, throws or extends one, generics included. Ratis, the wire forms and the replica's own types stay behind
 * {@code io.pachyderm.node.internal}; tests and tooling that need the Raft server reach it through
 * {@code io.pachyderm.node.internal.NodeInternals}. Here, in module {@code local}, because this is
 * the one test module that sees all three packages.
 */
class PublicSurfaceTest {
  /** The API packages, each with a class of its module (the node's four, and the local ecosystem's). */
  private static final List<Class<?>> API_PACKAGE_ANCHORS = List.of(PachydermNode.class, AuthorizationPolicy.class,
      io.pachyderm.node.settings.NodeLimits.class, io.pachyderm.node.status.NodeHealth.class, LocalPachyderm.class);
  private static final PublicSurfaceScan SCAN = PublicSurfaceScan.forbidding("io.pachyderm.protocol.",
      "com.google.protobuf.", "org.apache.ratis.", "io.pachyderm.node.internal.", "io.pachyderm.replica.",
      "io.pachyderm.cluster.internal.", "io.pachyderm.client.internal.");

  @Test
  void noPublicSignatureInTheNodesApiPackagesHoldsARatisProtobufOrInternalType() {
    List<Class<?>> classes = PublicSurfaceScan.publicClasses(API_PACKAGE_ANCHORS);
    assertThat(classes).as("the scan finds the API's classes").contains(PachydermNode.class,
        PachydermNode.Builder.class, NodeLimits.class, AuthorizationPolicy.class, LocalPachyderm.class,
        LocalPachyderm.Builder.class);

    assertThat(SCAN.offenders(classes)).as("public signatures with Ratis, protobuf or internal types; move them "
        + "behind io.pachyderm.node.internal").isEmpty();
  }

  @Test
  void theCheckSeesRatisAndInternalTypesInsideGenericsAndParameters() {
    // The internal state machine is what the check must catch if it came back to the API: it extends
    // a Ratis class and takes internal types in its constructor.
    List<String> found = SCAN.offenders(io.pachyderm.node.internal.EntityStateMachine.class);
    assertThat(found).anyMatch(o -> o.startsWith(io.pachyderm.node.internal.EntityStateMachine.class.getName()
            + "#<extends> org.apache.ratis."))
        .anyMatch(o -> o.startsWith(io.pachyderm.node.internal.EntityStateMachine.class.getName() + "#<init> ")
            && o.contains("io.pachyderm.node.internal."));
  }
}
