package io.pachyderm.client.internal;

import io.pachyderm.api.DeadLetter;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.ReplyForgottenException;
import io.pachyderm.cluster.Peer;
import io.pachyderm.codec.Encoded;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DeadLetterList;
import io.pachyderm.protocol.DeadLetterQuery;
import io.pachyderm.protocol.EffectId;
import io.pachyderm.protocol.EntityQuery;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.QueryReply;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's operations in their wire form: commands, reads, history pages, dead letters and
 * node status with payloads left encoded. The typed API ({@code PachydermClient}) is built on
 * these; tools that lack the entity classes (the CLI, the chaos workloads) use them directly,
 * through {@code PachydermClient.encodedOperations()}. Not a public API: its signatures hold
 * protobuf messages, which may change with the wire format. Thread-safe.
 */
public final class EncodedOperations {
  private final Connection connection;

  public EncodedOperations(Connection connection) {
    this.connection = connection;
  }

  /**
   * Sends an already encoded command. Completes with the applied outcome (version and, when
   * {@code replyWanted}, the encoded reply), or fails like {@code Entities.callAsync}.
   */
  public CompletableFuture<Applied> callEncoded(EntityKey key, Encoded payload, boolean replyWanted) {
    Command.Builder command = Command.newBuilder()
        .setRef(Protos.ref(key))
        .setPayload(Protos.payload(payload))
        .setReplyWanted(replyWanted);
    CompletableFuture<Applied> applied = connection.submit(command);
    return replyWanted ? applied.thenApply(a -> requireReply(key, a)) : applied;
  }

  /** A retry answered after the node forgot the reply fails: returning no reply would be a wrong one. */
  static Applied requireReply(EntityKey key, Applied applied) {
    if (applied.getReplyForgotten()) {
      throw new ReplyForgottenException("the call on " + key + " was applied at version "
          + applied.getVersion() + " (once; it was not run again), but its reply is no longer kept: the retry came"
          + " after newer replies filled the nodes' de-duplication reply budget", applied.getVersion());
    }
    return applied;
  }

  /**
   * Reads an entity's encoded state as {@code mode} says; {@code hasState()} is false for an entity
   * without events.
   *
   * @throws IllegalArgumentException (in the future) if {@code mode} names a node that is not a peer
   */
  public CompletableFuture<EntityRead> readEncoded(EntityKey key, ReadMode mode) {
    return connection.read(mode, ReadRequest.newBuilder().setEntity(Protos.ref(key)).build(), EntityRead::parseFrom,
        key.toString());
  }

  /**
   * Runs the named query {@code query} of the entity's type on the node that serves the read
   * ({@code mode}); the reply carries only the encoded result and the entity's version. {@code args}
   * is null for a query without args; a payload with an empty type stands for the query's declared
   * args class (what a tool without the entity classes sends). Fails like the typed
   * {@code Entities.queryAsync(ref, query, args, mode)}.
   */
  public CompletableFuture<QueryReply> queryEncoded(EntityKey key, String query, Payload args, ReadMode mode) {
    EntityQuery.Builder q = EntityQuery.newBuilder().setRef(Protos.ref(key)).setName(Objects.requireNonNull(query,
        "query"));
    if (args != null) {
      q.setArgs(args);
    }
    return connection.read(mode, ReadRequest.newBuilder().setQuery(q).build(), QueryReply::parseFrom,
        "query '" + query + "' of " + key);
  }

  /**
   * One page of an entity's journal as node {@code peerId} holds it: a single blocking attempt
   * (long-polls up to the query's {@code wait_ms}), for tools and for {@link HistoryCursor}.
   *
   * @throws PachydermException when the node refuses the query itself (unknown type, invalid ref)
   *     or the caller ({@link io.pachyderm.api.AccessDeniedException})
   * @throws IOException when the node cannot be reached or fails
   */
  public HistoryPage readHistoryPage(String peerId, HistoryQuery query) throws IOException {
    return connection.readOnce(peerId, ReadRequest.newBuilder().setHistory(query).build(), HistoryPage::parseFrom,
        "history read");
  }

  /**
   * Reads up to {@code limit} dead letters (at least 1) linearizably, with the store's total
   * count; payloads stay encoded. {@code PachydermClient.deadLetters()} is the typed form.
   */
  public CompletableFuture<DeadLetterList> readDeadLetters(int limit) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "dead letter list limit must be >= 1, was " + limit));
    }
    ReadRequest request = ReadRequest.newBuilder()
        .setDeadLetters(DeadLetterQuery.newBuilder().setLimit(limit)).build();
    return connection.read(ReadMode.LINEARIZABLE, request, DeadLetterList::parseFrom, "the dead letters");
  }

  /**
   * Redrives ({@code redrive}) or discards dead letter {@code id}; completes with true when this
   * call did it, false when the letter was gone (already redriven or discarded: a retry after an
   * unknown outcome also answers false).
   */
  public CompletableFuture<Boolean> deadLetterAction(DeadLetter.Id id, boolean redrive) {
    EffectId effect = EffectId.newBuilder()
        .setSource(Protos.ref(new EntityKey(id.ecosystem(), id.source().type(), id.source().id())))
        .setSeq(id.seq())
        .build();
    DeadLetterAction.Builder action = DeadLetterAction.newBuilder().setId(effect);
    if (redrive) {
      action.setRedrive(true);
    } else {
      action.setDiscard(true);
    }
    return connection.writeWork(CommandBatch.newBuilder().addDeadLetterActions(action).build().toByteArray(),
        (redrive ? "redrive of dead letter " : "discard of dead letter ") + id);
  }

  /**
   * Node {@code peerId}'s own report, read in one blocking attempt over its client port (never
   * Ratis' admin API, whose port may be loopback-only). Blocks up to the Ratis request timeout
   * (3 s) when the node does not answer.
   *
   * @throws IOException when the node cannot be reached or fails
   */
  public NodeStatus readStatus(String peerId) throws IOException {
    return connection.readOnce(peerId, ReadRequest.newBuilder().setStatus(true).build(), NodeStatus::parseFrom,
        "status read");
  }

  /** A cursor over an entity's journal for tools that lack the entity classes (the CLI). */
  public EncodedHistory encodedHistory(EntityKey key) {
    return new EncodedHistory(historyCursor(key, ReadMode.STALE));
  }

  /**
   * As {@link #encodedHistory(EntityKey)}, reading only the node a {@link ReadMode#onNode} mode
   * names (any other mode reads from any node).
   *
   * @throws IllegalArgumentException if the mode names a node that is not a peer
   */
  public EncodedHistory encodedHistory(EntityKey key, ReadMode mode) {
    return new EncodedHistory(historyCursor(key, mode));
  }

  /**
   * A cursor over the entity's journal: readers spread over the nodes, each sticking to its node
   * while that node answers; with a {@link ReadMode#onNode} mode, only the node it names.
   *
   * @throws IllegalArgumentException if the mode names a node that is not a peer
   */
  public HistoryCursor historyCursor(EntityKey key, ReadMode mode) {
    List<Peer> readFrom = mode instanceof ReadMode.OnNode on ? List.of(connection.peer(on)) : connection.peers();
    return new HistoryCursor(this::readHistoryPage,
        (ref, timeoutMs) -> readEncoded(Protos.key(ref), ReadMode.LINEARIZABLE).get(timeoutMs, TimeUnit.MILLISECONDS),
        readFrom, Protos.ref(key), connection.nextCursorPeer());
  }
}
