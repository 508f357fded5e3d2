package io.pachyderm.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.internal.EncodedOperations;
import io.pachyderm.cluster.surface.PublicSurfaceScan;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client's public API packages show no protobuf, Ratis or cluster-internal type (issue 13, item 6): no
 * public or protected member of a public class in {@code io.pachyderm.client} takes, returns, throws or extends one, generics included. The
 * wire forms live in {@code io.pachyderm.client.internal} ({@link EncodedOperations}), which the
 * CLI reaches through {@code PachydermClient#encodedOperations()} (that door is the one
 * {@code io.pachyderm.client.internal} type in the API, which is why that package is not on the
 * forbidden list here). The cluster module's own packages, which the client re-exports, are checked there.
 */
class PublicSurfaceTest {
  private static final List<Class<?>> API_PACKAGE_ANCHORS = List.of(PachydermClient.class);
  private static final PublicSurfaceScan SCAN = PublicSurfaceScan.forbidding("io.pachyderm.protocol.",
      "com.google.protobuf.", "org.apache.ratis.", "io.pachyderm.cluster.internal.");

  @Test
  void noPublicSignatureInTheClientsApiPackagesHoldsAProtobufRatisOrInternalType() {
    List<Class<?>> classes = PublicSurfaceScan.publicClasses(API_PACKAGE_ANCHORS);
    assertThat(classes).as("the scan finds the API's classes").contains(PachydermClient.class,
        PachydermClient.Builder.class, NodeView.class, Admin.class);

    assertThat(SCAN.offenders(classes)).as("public signatures with protobuf, Ratis or internal types; move them "
        + "behind io.pachyderm.client.internal").isEmpty();
  }

  @Test
  void theCheckSeesWireTypesInsideGenericsAndParameters() {
    // The internal encoded operations are what the check must catch if they came back to the API.
    List<String> found = SCAN.offenders(EncodedOperations.class);
    assertThat(found).anyMatch(o -> o.startsWith(EncodedOperations.class.getName() + "#callEncoded ")
            && o.contains("io.pachyderm.protocol.Applied"))
        .anyMatch(o -> o.startsWith(EncodedOperations.class.getName() + "#readHistoryPage ")
            && o.contains("io.pachyderm.protocol.HistoryQuery"))
        .anyMatch(o -> o.startsWith(EncodedOperations.class.getName() + "#queryEncoded ")
            && o.contains("io.pachyderm.protocol.Payload"));
  }
}
