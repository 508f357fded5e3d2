package io.pachyderm.client.internal;

import io.pachyderm.cluster.internal.NodeRefusalException;
import io.pachyderm.api.AccessDeniedException;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.RejectionKind;
import java.util.List;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * The one place a failed read (entity state, named query, history page, dead letters, status)
 * becomes the caller's typed exception. Every read path of the client (the retried reads of
 * {@link Connection#read} and the single attempts of {@link Connection#readOnce}) asks here, so a
 * node's refusal reads the same whichever path met it.
 *
 * <p>The wire form it accepts is today's: a refusal of the caller arrives as a
 * {@link NodeRefusalException} (rebuilt by Ratis' client from the gRPC status); a read refused
 * for what it asked arrives as a {@link StateMachineException} whose message holds
 * {@code "KIND: detail"}, possibly after Ratis' own text. Only the kinds a node refuses a read
 * with for what it asked are recognised ({@link #READ_REFUSALS}); a {@code TOO_LARGE} history page
 * is not among them, because another node (with another page limit) may serve it. Stateless.
 */
public final class ReadFailures {
  /** The rejection kinds a node fails a read with when no other attempt or node would answer otherwise. */
  static final List<RejectionKind> READ_REFUSALS = List.of(RejectionKind.UNKNOWN_ENTITY_TYPE,
      RejectionKind.INVALID_REQUEST, RejectionKind.HANDLER_FAILED);

  private ReadFailures() {}

  /**
   * The typed exception for {@code failure} when it is a node's refusal, which another attempt or
   * node would repeat: {@link AccessDeniedException} when the node refused the caller,
   * {@link CommandRejectedException} (with its {@link RejectionKind}) when it refused what the read
   * asked (an unknown entity type, an invalid ref or range, an unknown query or args that do not
   * fit it, a query function that threw). Null for any other failure: a retry may succeed.
   */
  public static PachydermException refusal(Throwable failure) {
    AccessDeniedException denied = NodeRefusalException.accessDenied(failure);
    if (denied != null) {
      return denied;
    }
    return rejection(failure);
  }

  /**
   * The rejection a node's read failure carries, or null. The node fails the read with "KIND: detail";
   * Ratis may put its own text in front. The first kind named wins, so a kind's name quoted in the
   * detail (a query's exception text) cannot change it.
   */
  static CommandRejectedException rejection(Throwable failure) {
    if (!(failure instanceof StateMachineException)) {
      return null;
    }
    String text = String.valueOf(failure.getMessage());
    RejectionKind found = null;
    int foundAt = Integer.MAX_VALUE;
    for (RejectionKind kind : READ_REFUSALS) {
      int at = text.indexOf(kind.name() + ": ");
      if (at >= 0 && at < foundAt) {
        found = kind;
        foundAt = at;
      }
    }
    return found == null ? null
        : new CommandRejectedException(found, text.substring(foundAt + found.name().length() + 2));
  }
}
