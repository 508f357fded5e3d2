package io.pachyderm.node.internal;

import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.security.Operation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.ReadRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.ratis.proto.RaftProtos.ClientMessageEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * What a client-service request asks for, decoded the way the state machine will decode it: a
 * write carries a {@link CommandBatch}, a read or stale read a {@link ReadRequest}. Every other
 * Ratis request type (watch, message and data streams, forward) is {@link Unclassified}; so is a
 * message that does not decode, or that carries a field this class does not know (a request kind
 * added to the protocol after it: give the new kind its line in {@link #needsOf(CommandBatch)} or
 * {@link #needsOf(ReadRequest)}, operation {@link Operation#ADMIN} for operator actions).
 *
 * <p>Pure functions; thread-safe.
 */
final class ClientRequests {
  private ClientRequests() {}

  /** One permission a request needs: an operation in an ecosystem ({@link AuthorizationPolicy#ANY}: all). */
  record Need(Operation operation, String ecosystem) {}

  /** The decoded request. */
  sealed interface Classified permits Classified.Known, Classified.Internal, Classified.Unclassified {
    /** The shared token the request carried, empty if none. */
    byte[] token();

    /**
     * The request to pass on to Ratis: without the token, so that it reaches neither the log, the
     * journal, nor Ratis' own caches. The same object when it carried none.
     */
    RaftClientRequestProto forwarded();

    /** A client request kind, and the permissions it needs (at least one). */
    record Known(List<Need> needs, byte[] token, RaftClientRequestProto forwarded) implements Classified {}

    /**
     * Deliveries, timer fires or effect reports: work only the leader proposes to itself, never over
     * the network (the state machine refuses them too, whoever sends them).
     */
    record Internal(byte[] token, RaftClientRequestProto forwarded) implements Classified {}

    /** Not something a Pachyderm client sends; {@code why} says what it is. */
    record Unclassified(String why, byte[] token, RaftClientRequestProto forwarded) implements Classified {}
  }

  static Classified classify(RaftClientRequestProto request) {
    ByteString content = request.getMessage().getContent();
    return switch (request.getTypeCase()) {
      case WRITE -> classifyWrite(request, content);
      case READ, STALEREAD -> classifyRead(request, content);
      default -> new Classified.Unclassified("a Ratis " + request.getTypeCase() + " request, which Pachyderm "
          + "clients do not send", new byte[0], request);
    };
  }

  private static Classified classifyWrite(RaftClientRequestProto request, ByteString content) {
    CommandBatch batch;
    try {
      batch = CommandBatch.parseFrom(content.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return new Classified.Unclassified("an undecodable command batch (" + e.getMessage() + ")", new byte[0], request);
    }
    byte[] token = batch.getAuthToken().toByteArray();
    RaftClientRequestProto forwarded = token.length == 0 ? request
        : withContent(request, batch.toBuilder().clearAuthToken().build().toByteArray());
    if (batch.getDeliveriesCount() + batch.getTimerFiresCount() + batch.getEffectReportsCount() > 0) {
      return new Classified.Internal(token, forwarded);
    }
    CommandBatch rest = batch.toBuilder().clearAuthToken().clearCommands().clearDeadLetterActions()
        .clearAdminAction().build();
    if (!rest.toByteString().isEmpty()) {
      return new Classified.Unclassified("a command batch with fields this node's authorizer does not know",
          token, forwarded);
    }
    List<Need> needs = needsOf(batch);
    if (needs.isEmpty()) {
      return new Classified.Unclassified("an empty command batch", token, forwarded);
    }
    return new Classified.Known(needs, token, forwarded);
  }

  /** What a client's write needs: one line per kind of item. */
  static List<Need> needsOf(CommandBatch batch) {
    Set<Need> needs = new LinkedHashSet<>();
    for (Command c : batch.getCommandsList()) {
      needs.add(new Need(Operation.CALL, c.getRef().getEcosystem()));
    }
    for (DeadLetterAction a : batch.getDeadLetterActionsList()) {
      needs.add(new Need(Operation.DEAD_LETTERS, a.getId().getSource().getEcosystem()));
    }
    if (batch.hasAdminAction()) {
      needs.add(new Need(Operation.ADMIN, AuthorizationPolicy.ANY));
    }
    return List.copyOf(new ArrayList<>(needs));
  }

  private static Classified classifyRead(RaftClientRequestProto request, ByteString content) {
    ReadRequest read;
    try {
      read = ReadRequest.parseFrom(content.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return new Classified.Unclassified("an undecodable read request (" + e.getMessage() + ")", new byte[0], request);
    }
    byte[] token = read.getAuthToken().toByteArray();
    RaftClientRequestProto forwarded = token.length == 0 ? request
        : withContent(request, read.toBuilder().clearAuthToken().build().toByteArray());
    ReadRequest rest = read.toBuilder().clearAuthToken().clearKind().build();
    if (!rest.toByteString().isEmpty()) {
      return new Classified.Unclassified("a read request with fields this node's authorizer does not know",
          token, forwarded);
    }
    List<Need> needs = needsOf(read);
    if (needs.isEmpty()) {
      return new Classified.Unclassified("a read request of kind " + read.getKindCase(), token, forwarded);
    }
    return new Classified.Known(needs, token, forwarded);
  }

  /** What a read needs; empty for a kind this node does not know. */
  static List<Need> needsOf(ReadRequest read) {
    return switch (read.getKindCase()) {
      case ENTITY -> List.of(new Need(Operation.QUERY, read.getEntity().getEcosystem()));
      case QUERY -> List.of(new Need(Operation.QUERY, read.getQuery().getRef().getEcosystem()));
      case HISTORY -> List.of(new Need(Operation.HISTORY, read.getHistory().getRef().getEcosystem()));
      case STATUS -> List.of(new Need(Operation.STATUS, AuthorizationPolicy.ANY));
      case DEAD_LETTERS -> List.of(new Need(Operation.DEAD_LETTERS, AuthorizationPolicy.ANY));
      case COMPACT_JOURNAL -> List.of(new Need(Operation.ADMIN, AuthorizationPolicy.ANY));
      default -> List.of();
    };
  }

  private static RaftClientRequestProto withContent(RaftClientRequestProto request, byte[] content) {
    return request.toBuilder()
        .setMessage(ClientMessageEntryProto.newBuilder().setContent(UnsafeByteOperations.unsafeWrap(content)))
        .build();
  }
}
