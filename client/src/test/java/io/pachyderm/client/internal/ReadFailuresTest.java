package io.pachyderm.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.AccessDeniedException;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.cluster.internal.NodeRefusals;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.ReadReply;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.Test;

/** A node's read answers become the reply bytes or the caller's typed exceptions, in one place, from data only. */
class ReadFailuresTest {
  @Test
  void aResultComesBackAsTheKindsReplyBytes() throws Exception {
    EntityRead read = EntityRead.newBuilder().setVersion(7).build();
    ByteBuffer answer = ByteBuffer.wrap(ReadReply.newBuilder().setResult(read.toByteString()).build().toByteArray());

    assertThat(EntityRead.parseFrom(ReadFailures.result(answer))).isEqualTo(read);
  }

  @Test
  void aRefusalInTheReplyBecomesARejectionOfItsKindWithItsDetail() {
    for (RejectionKind kind : new RejectionKind[] {RejectionKind.UNKNOWN_ENTITY_TYPE, RejectionKind.INVALID_REQUEST,
        RejectionKind.HANDLER_FAILED}) {
      // The detail may quote another kind's name (a query's own exception text): the kind is data, not text.
      String detail = "query 'pages' threw IllegalStateException: INVALID_REQUEST: made up by the query";
      ByteBuffer answer = ByteBuffer.wrap(ReadReply.newBuilder().setRefused(Protos.rejection(kind, detail)).build()
          .toByteArray());

      assertThatThrownBy(() -> ReadFailures.result(answer)).isInstanceOfSatisfying(CommandRejectedException.class,
          r -> {
            assertThat(r.kind()).isEqualTo(kind);
            assertThat(r.detail()).isEqualTo(detail);
          });
    }
  }

  @Test
  void anAnswerThatIsNoReadReplyIsUnreadableNotARefusal() {
    ByteBuffer empty = ByteBuffer.wrap(ReadReply.getDefaultInstance().toByteArray());
    ByteBuffer garbage = ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

    assertThatThrownBy(() -> ReadFailures.result(empty)).isInstanceOf(IOException.class)
        .hasMessageContaining("neither a result nor a refusal");
    assertThatThrownBy(() -> ReadFailures.result(garbage)).isInstanceOf(IOException.class)
        .hasMessageContaining("unreadable read reply");
  }

  @Test
  void aRefusalOfTheCallerBecomesAccessDenied() {
    // As Ratis' client rebuilds it: a StateMachineException whose cause is the gRPC status with our trailers.
    StateMachineException rebuilt = new StateMachineException("node n1: PERMISSION_DENIED: carol may not call");
    rebuilt.initCause(Status.PERMISSION_DENIED.withDescription("node n1: PERMISSION_DENIED: carol may not call")
        .asRuntimeException(NodeRefusals.trailers(NodeRefusals.Kind.ACCESS_DENIED)));

    assertThat(ReadFailures.refusal(new IOException(rebuilt))).isInstanceOf(AccessDeniedException.class)
        .hasMessage("node n1: PERMISSION_DENIED: carol may not call");
  }

  @Test
  void failuresAnotherAttemptMayNotRepeatAreNotRefusals() {
    assertThat(ReadFailures.refusal(new IOException("connection refused"))).isNull();
    assertThat(ReadFailures.refusal(new StateMachineException("history of default:c/1 on n1: journal closed")))
        .isNull();
    assertThat(ReadFailures.refusal(new StateMachineException("TOO_LARGE: history of default:c/1 on n1: record "
        + "too large"))).as("another node, with another page limit, may serve it").isNull();
    assertThat(ReadFailures.refusal(new StateMachineException("UNKNOWN_ENTITY_TYPE: a kind's name in text")))
        .as("text is never parsed for a kind").isNull();
    assertThat(ReadFailures.refusal(Status.PERMISSION_DENIED.asRuntimeException())).as("no trailer").isNull();
    assertThat(ReadFailures.refusal(null)).isNull();
  }
}
