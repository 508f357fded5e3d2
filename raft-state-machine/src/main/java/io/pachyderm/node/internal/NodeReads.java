package io.pachyderm.node.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.protocol.DeadLetterList;
import io.pachyderm.protocol.EntityQuery;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.JournalCompactionReply;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.QueryReply;
import io.pachyderm.protocol.ReadReply;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.Ref;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.Outbox;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.QueryExecutor;
import io.pachyderm.storage.journal.EventJournal;
import io.pachyderm.storage.journal.JournalCorruptException;
import io.pachyderm.storage.journal.JournalOptions;
import io.pachyderm.storage.journal.VersionRange;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The node's reads, answered from the applied state and the journal, never on the apply path:
 * an entity's state, its history (with a long poll), named queries, the node's status, dead
 * letters, and journal compaction. Any thread.
 */
final class NodeReads {
  /** A history page holds at most this many records, whatever the request asks (and at most historyPageBytesMax). */
  static final int HISTORY_PAGE_MAX = 1_000;
  /** A long poll waits at most this long: below the clients' per-attempt RPC timeout. */
  static final int HISTORY_WAIT_MS_MAX = 2_000;

  private final String nodeId;
  private final EntityTypes types;
  private final Replica replica;
  private final Supplier<EventJournal> journal;
  private final JournalOptions journalOptions;
  private final QueueLimits queueLimits;
  private final HistoryWaiters historyWaiters;
  private final QueryRunner queries;
  /** The adapter's part of the status: Raft's view, the applied index and digest, snapshot, leadership. */
  private final Supplier<NodeStatus.Builder> adapterStatus;

  /** @param journal the journal now, null when the node keeps none */
  NodeReads(String nodeId, EntityTypes types, Replica replica, Supplier<EventJournal> journal,
            JournalOptions journalOptions, QueueLimits queueLimits, HistoryWaiters historyWaiters, QueryRunner queries,
            Supplier<NodeStatus.Builder> adapterStatus) {
    this.nodeId = nodeId;
    this.types = types;
    this.replica = replica;
    this.journal = journal;
    this.journalOptions = journalOptions;
    this.queueLimits = queueLimits;
    this.historyWaiters = historyWaiters;
    this.queries = queries;
    this.adapterStatus = adapterStatus;
  }

  /**
   * The answer to a read as Ratis carries it: a {@link ReadReply} holding the reply of the read's
   * kind, or the node's typed refusal of what it asked ({@link ReadRefused}). Any other failure
   * fails the Ratis read, and the client may try again.
   */
  CompletableFuture<Message> query(Message request) {
    CompletableFuture<Message> reply = new CompletableFuture<>();
    answer(request).whenComplete((answer, failure) -> {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
          ? c.getCause() : failure;
      if (cause == null) {
        // The kind's reply bytes enter the envelope without a copy; encoding the envelope copies them once more.
        reply.complete(message(ReadReply.newBuilder().setResult(
            com.google.protobuf.UnsafeByteOperations.unsafeWrap(answer.getContent().asReadOnlyByteBuffer())).build()));
      } else if (cause instanceof ReadRefused refused) {
        reply.complete(message(ReadReply.newBuilder()
            .setRefused(Protos.rejection(refused.kind(), refused.detail())).build()));
      } else {
        reply.completeExceptionally(cause);
      }
    });
    return reply;
  }

  private CompletableFuture<Message> answer(Message request) {
    ReadRequest read;
    try {
      read = ReadRequest.parseFrom(request.getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(new StateMachineException("undecodable read request: " + e.getMessage()));
    }
    switch (read.getKindCase()) {
      case ENTITY -> {
        return entityRead(Protos.key(read.getEntity()));
      }
      case HISTORY -> {
        return history(read.getHistory());
      }
      case QUERY -> {
        return entityQuery(read.getQuery());
      }
      case STATUS -> {
        return CompletableFuture.completedFuture(message(status()));
      }
      case COMPACT_JOURNAL -> {
        return compactJournal();
      }
      case DEAD_LETTERS -> {
        Outbox outbox = replica.outbox();
        return CompletableFuture.completedFuture(message(DeadLetterList.newBuilder()
            .addAllDeadLetters(outbox.deadLetters(read.getDeadLetters().getLimit()))
            .setTotal(outbox.deadLetterCount())
            .build()));
      }
      default -> {
        return CompletableFuture.failedFuture(new StateMachineException("empty read request"));
      }
    }
  }

  private CompletableFuture<Message> entityRead(EntityKey key) {
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return unknownTypeRead(key);
    }
    Versioned v = replica.get(key);
    EntityRead.Builder b = EntityRead.newBuilder();
    if (v != null) {
      b.setVersion(v.version()).setState(Protos.payload(type.codec().encode(v.state())));
    }
    return CompletableFuture.completedFuture(message(b.build()));
  }

  /**
   * Runs a named query of the entity's type on its applied state, never on the apply path: the
   * state is taken here, at the read's point in the log (after ReadIndex for a linearizable read),
   * and the query function runs on a {@link QueryRunner} thread, so a slow or throwing query delays
   * or fails this read only. The state record is immutable and read from the store once, so the
   * result and version belong together while the apply thread moves on. Only the encoded result
   * goes back.
   */
  private CompletableFuture<Message> entityQuery(EntityQuery q) {
    EntityKey key;
    try {
      key = validKey(q.getRef());
    } catch (RuntimeException e) {
      return refusedRead(RejectionKind.INVALID_REQUEST, "query '" + q.getName() + "' of " + q.getRef() + ": "
          + e.getMessage());
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return unknownTypeRead(key);
    }
    Versioned v = replica.get(key);
    Encoded args = q.hasArgs() ? Protos.encoded(q.getArgs()) : null;
    String what = "query '" + q.getName() + "' of " + key;
    return queries.run(what, () -> {
      Object state;
      try {
        state = v != null ? v.state() : CommandExecutor.initialState(type, key.id());
      } catch (RuntimeException e) {
        throw refusal(RejectionKind.HANDLER_FAILED, "initial(" + key.id() + ") of entity type " + type.name()
            + " threw " + e);
      }
      QueryExecutor.Outcome outcome = QueryExecutor.execute(type, key, state, q.getName(), args);
      if (outcome instanceof QueryExecutor.Refused r) {
        throw refusal(r.kind(), r.message() + " (on node " + nodeId + ")");
      }
      Encoded result = ((QueryExecutor.Answered) outcome).result();
      QueryReply.Builder reply = QueryReply.newBuilder().setVersion(v == null ? 0 : v.version());
      if (result != null) {
        reply.setResult(Protos.payload(result));
      }
      return message(reply.build());
    });
  }

  /** The ref as a key; IllegalArgumentException naming what is wrong with it. */
  private static EntityKey validKey(Ref ref) {
    EntityKey key = Protos.key(ref);
    String invalid = Decider.invalidKey(key);
    if (invalid != null) {
      throw new IllegalArgumentException(invalid);
    }
    return key;
  }

  /** A read refused for what it asked: the reply carries the kind as data ({@link #query}). */
  private static CompletableFuture<Message> refusedRead(RejectionKind kind, String message) {
    return CompletableFuture.failedFuture(refusal(kind, message));
  }

  private static ReadRefused refusal(RejectionKind kind, String message) {
    return new ReadRefused(kind, message);
  }

  /**
   * A page of an entity's journaled events. With {@code wait_ms}, a read that finds nothing at or
   * after {@code from_version} parks until the entity's next event is journaled or the wait ends
   * (a long poll: followers see new events at once without polling the node hard).
   */
  private CompletableFuture<Message> history(HistoryQuery q) {
    EntityKey key;
    try {
      key = validKey(q.getRef());
    } catch (RuntimeException e) {
      return refusedRead(RejectionKind.INVALID_REQUEST, "history of " + q.getRef() + ": " + e.getMessage());
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return unknownTypeRead(key);
    }
    if (!q.getCurrentState() && (q.getFromVersion() < 1 || q.getLimit() < 1)) {
      return refusedRead(RejectionKind.INVALID_REQUEST, "history of " + key
          + " needs from_version >= 1 and limit >= 1, got " + q.getFromVersion() + " and " + q.getLimit());
    }
    HistoryPage page;
    try {
      page = historyPage(key, type, q);
    } catch (JournalCorruptException e) {
      // Never the damaged record: this read fails naming file and record; the other nodes' journals hold it.
      return CompletableFuture.failedFuture(new StateMachineException("history of " + key + " on " + nodeId
          + " cannot be served from its journal: " + e.getMessage()));
    } catch (IllegalStateException e) {
      // Not a refusal: another node, with another page limit, may serve it, so the client retries.
      return CompletableFuture.failedFuture(new StateMachineException(RejectionKind.TOO_LARGE + ": history of "
          + key + " on " + nodeId + ": " + e.getMessage()));
    }
    EventJournal j = journal.get();
    if (page.getRecordsCount() > 0 || q.getWaitMs() == 0 || q.getCurrentState() || j == null) {
      return CompletableFuture.completedFuture(message(page));
    }
    CompletableFuture<Message> answer = new CompletableFuture<>();
    long waitMs = Math.min(q.getWaitMs(), HISTORY_WAIT_MS_MAX);
    // Followers parked at the same version get the same page: read once per wake (HistoryWaiters.shared).
    HistoryQuery samePage = q.toBuilder().clearWaitMs().build();
    Runnable reply = () -> {
      try {
        answer.complete(historyWaiters.shared(samePage, () -> message(historyPage(key, type, q))));
      } catch (RuntimeException e) {
        answer.completeExceptionally(new StateMachineException("history of " + key + " on " + nodeId + ": " + e));
      }
    };
    if (!historyWaiters.park(key, waitMs, reply)) {
      return CompletableFuture.completedFuture(message(page));
    }
    // An event journaled between the read above and the park would wake nobody: look again.
    VersionRange held = j.versions(q.getRef());
    if (held != null && held.last() >= q.getFromVersion()) {
      historyWaiters.wake(key);
    }
    return answer;
  }

  private HistoryPage historyPage(EntityKey key, EntityType<?, ?, ?> type, HistoryQuery q) {
    HistoryPage.Builder page = HistoryPage.newBuilder().setNodeId(nodeId);
    Versioned v = replica.get(key);
    page.setLastVersion(v == null ? 0 : v.version());
    if (q.getCurrentState() && v != null) {
      page.setState(Protos.payload(type.codec().encode(v.state())));
    }
    EventJournal j = journal.get();
    if (j == null) {
      return page.setJournalDisabled(true).build();
    }
    VersionRange held = j.versions(q.getRef());
    page.setFirstVersion(held == null ? 0 : held.first());
    if (!q.getCurrentState()) {
      page.addAllRecords(HistoryPager.page(j, q.getRef(), q.getFromVersion(), Math.min(q.getLimit(), HISTORY_PAGE_MAX),
          queueLimits.historyPageBytesMax()));
    }
    return page.build();
  }

  /** A read of an unregistered type: refused, with the types this node has. */
  private CompletableFuture<Message> unknownTypeRead(EntityKey key) {
    return refusedRead(RejectionKind.UNKNOWN_ENTITY_TYPE, Decider.unknownType(nodeId, types, key));
  }

  static Message message(com.google.protobuf.MessageLite m) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(m.toByteArray()));
  }

  /**
   * Applies this node's journal retention now (node-local: each node cuts its files at its own
   * clock). A node without a journal, or whose retention keeps everything, deletes nothing and says
   * so in the reply, which the client reports as a refusal.
   */
  private CompletableFuture<Message> compactJournal() {
    EventJournal j = journal.get();
    JournalCompactionReply.Builder reply = JournalCompactionReply.newBuilder().setNodeId(nodeId)
        .setJournalEnabled(j != null).setRetainedCyclesMax(journalOptions.retainedCyclesMax())
        .setRollCycle(journalOptions.rollCycle().name());
    if (j == null) {
      return CompletableFuture.completedFuture(message(reply.build()));
    }
    try {
      EventJournal.Compaction done = j.compact();
      reply.addAllDeletedFiles(done.deletedFiles()).setDeletedBytes(done.deletedBytes())
          .setKeptFiles(done.keptFiles()).setRecords(j.records());
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(new StateMachineException("compacting the journal of " + nodeId
          + " failed: " + e));
    }
    return CompletableFuture.completedFuture(message(reply.build()));
  }

  /** The adapter's part, then the replica's and the journal's. */
  private NodeStatus status() {
    Outbox outbox = replica.outbox();
    EventJournal j = journal.get();
    return adapterStatus.get()
        .setNodeId(nodeId)
        .setEntities(replica.entities())
        .setDedupEntries(replica.dedupEntries())
        .setPendingMessages(outbox.messageCount())
        .setPendingEffects(outbox.effectCount())
        .setDeadLetters(outbox.deadLetterCount())
        .setTimers(outbox.timerCount())
        .setMessagesDelivered(replica.messagesDelivered())
        .setTimersFired(replica.timersFired())
        .setJournalEnabled(j != null)
        .setJournalRecords(j == null ? 0 : j.records())
        .setJournalIndex(j == null ? 0 : j.lastCompleteIndex())
        .setEffectsPaused(replica.effectsPaused())
        .build();
  }
}
