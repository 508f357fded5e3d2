package io.pachyderm.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.AccessDeniedException;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/**
 * A node's refusal of the caller travels under a stable identifier, not a Java class name, so a
 * class moved to another package cannot break a client of another version (issue 13, item 6).
 * The round trips go through Ratis' own client-side unwrapping ({@link GrpcUtil#tryUnwrapThrowable}).
 */
class NodeRefusalsTest {
  private static final String DESCRIPTION = "node n1: PERMISSION_DENIED: client carol may not call APPEND";

  @Test
  void theWireNamesAreFixedIdentifiersThatNoClassLoaderResolves() {
    // Changing a shipped wire name breaks mixed-version clients: this literal is the contract.
    assertThat(NodeRefusals.Kind.ACCESS_DENIED.wireName()).isEqualTo("access-denied");
    assertThat(NodeRefusals.REFUSAL_KEY.name()).isEqualTo("pachyderm-refusal");
    for (NodeRefusals.Kind kind : NodeRefusals.Kind.values()) {
      assertThat(kind.wireName()).matches("[a-z]+(-[a-z]+)*");
      assertThatThrownBy(() -> Class.forName(kind.wireName())).isInstanceOf(ClassNotFoundException.class);
      assertThat(NodeRefusals.Kind.fromWireName(kind.wireName())).isEqualTo(kind);
    }
    assertThat(NodeRefusals.Kind.fromWireName("some-later-kind")).isNull();
  }

  @Test
  void noPachydermClassIsNamedInTheTrailers() {
    Metadata trailers = NodeRefusals.trailers(NodeRefusals.Kind.ACCESS_DENIED);

    assertThat(trailers.get(NodeRefusals.REFUSAL_KEY)).isEqualTo("access-denied");
    assertThat(trailers.get(GrpcUtil.EXCEPTION_TYPE_KEY)).as("Ratis' own class, so Ratis' client rethrows at once")
        .isEqualTo(StateMachineException.class.getName());
    for (String key : trailers.keys()) {
      String value = key.endsWith(Metadata.BINARY_HEADER_SUFFIX) ? ""
          : trailers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      assertThat(value).as(key).doesNotContain("io.pachyderm");
    }
  }

  @Test
  void ratisClientRebuildsTheRefusalAndTheClientReadsItAsAccessDenied() {
    StatusRuntimeException onTheWire = Status.PERMISSION_DENIED.withDescription(DESCRIPTION)
        .asRuntimeException(NodeRefusals.trailers(NodeRefusals.Kind.ACCESS_DENIED));

    Throwable rebuilt = GrpcUtil.tryUnwrapThrowable(onTheWire);

    assertThat(rebuilt).as("rethrown at once by Ratis' client, not retried").isInstanceOf(StateMachineException.class);
    AccessDeniedException denied = NodeRefusals.accessDenied(new java.util.concurrent.CompletionException(rebuilt));
    assertThat(denied).isNotNull().hasMessage(DESCRIPTION);
  }

  @Test
  void aNodeOfTheOldFormNamingTheLegacyClassIsStillUnderstood() {
    Metadata legacy = new Metadata();
    legacy.put(GrpcUtil.EXCEPTION_TYPE_KEY, "io.pachyderm.cluster.internal.NodeRefusalException");
    StatusRuntimeException onTheWire = Status.UNAUTHENTICATED.withDescription(DESCRIPTION).asRuntimeException(legacy);

    assertThat(NodeRefusals.accessDenied(GrpcUtil.tryUnwrapThrowable(onTheWire))).isNotNull().hasMessage(DESCRIPTION);
  }

  @Test
  void otherFailuresAndUnknownKindsAreNotRefusals() {
    Metadata later = new Metadata();
    later.put(NodeRefusals.REFUSAL_KEY, "some-later-kind");

    assertThat(NodeRefusals.accessDenied(Status.PERMISSION_DENIED.asRuntimeException(later))).isNull();
    assertThat(NodeRefusals.accessDenied(Status.UNAVAILABLE.asRuntimeException())).isNull();
    assertThat(NodeRefusals.accessDenied(new StateMachineException(DESCRIPTION))).isNull();
    assertThat(NodeRefusals.accessDenied(null)).isNull();
  }
}
