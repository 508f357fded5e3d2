package io.pachyderm.client.internal;

import io.pachyderm.cluster.internal.NodeRefusalException;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.AccessDeniedException;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.RejectionKind;
import java.io.IOException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.Test;

/** Today's wire form of a node's read refusals becomes the caller's typed exceptions, in one place. */
class ReadFailuresTest {
  @Test
  void aKindLeadingTheNodesMessageBecomesARejectionOfThatKindWithTheDetail() {
    PachydermException e = ReadFailures.refusal(new StateMachineException(
        "UNKNOWN_ENTITY_TYPE: no entity type 'x' is registered on node n1; registered: [counter]"));

    assertThat(e).isInstanceOfSatisfying(CommandRejectedException.class,
        r -> {
          assertThat(r.kind()).isEqualTo(RejectionKind.UNKNOWN_ENTITY_TYPE);
          assertThat(r.detail()).isEqualTo("no entity type 'x' is registered on node n1; registered: [counter]");
        });
  }

  @Test
  void ratisTextInFrontOfTheKindIsSkipped() {
    PachydermException e = ReadFailures.refusal(new StateMachineException(
        "org.apache.ratis.protocol.exceptions.StateMachineException from Server n2@group-1: INVALID_REQUEST: "
            + "history of default:counter/c needs from_version >= 1"));

    assertThat(e).isInstanceOfSatisfying(CommandRejectedException.class,
        r -> {
          assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_REQUEST);
          assertThat(r.detail()).isEqualTo("history of default:counter/c needs from_version >= 1");
        });
  }

  @Test
  void theFirstKindNamedWinsOverOneQuotedInTheDetail() {
    // A query function's own exception text may name another kind; the node's leads.
    PachydermException e = ReadFailures.refusal(new StateMachineException(
        "HANDLER_FAILED: query 'pages' threw IllegalStateException: INVALID_REQUEST: made up by the query"));

    assertThat(e).isInstanceOfSatisfying(CommandRejectedException.class,
        r -> assertThat(r.kind()).isEqualTo(RejectionKind.HANDLER_FAILED));
  }

  @Test
  void aRefusalOfTheCallerBecomesAccessDenied() {
    PachydermException e = ReadFailures.refusal(new IOException(new NodeRefusalException("token not accepted")));

    assertThat(e).isInstanceOf(AccessDeniedException.class).hasMessage("token not accepted");
  }

  @Test
  void failuresAnotherAttemptMayNotRepeatAreNotRefusals() {
    assertThat(ReadFailures.refusal(new IOException("connection refused"))).isNull();
    assertThat(ReadFailures.refusal(new StateMachineException("history of default:c/1 on n1: journal closed")))
        .isNull();
    assertThat(ReadFailures.refusal(new StateMachineException("TOO_LARGE: history of default:c/1 on n1: record "
        + "too large"))).as("another node, with another page limit, may serve it").isNull();
    assertThat(ReadFailures.refusal(new IllegalStateException("INVALID_REQUEST: not from a node")))
        .as("only a node's StateMachineException carries a kind").isNull();
    assertThat(ReadFailures.refusal(null)).isNull();
  }
}
