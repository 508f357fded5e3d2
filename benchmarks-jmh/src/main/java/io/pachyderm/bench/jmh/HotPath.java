package io.pachyderm.bench.jmh;

import io.pachyderm.codec.Codec;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicatedTableLimits;
import io.pachyderm.replica.Versioned;
import io.pachyderm.replica.WorkItem;
import io.pachyderm.runtime.EntityKey;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What the hot-path benchmarks share: the example {@link Counter} entity, its commands as a client
 * sends them (request id, ref, encoded payload), and a leader's decide-then-apply of one batch,
 * as the node does it (decide against the applied state plus this entry's speculation, then apply
 * on the replica). Not thread-safe: one per benchmark thread.
 */
final class HotPath {
  static final String NODE_ID = "n1";
  /** The node's defaults (NodeLimits): record and entry limits, the dedup table's capacity. */
  static final int RECORD_BYTES_MAX = 1 << 20;
  static final int ENTRY_BYTES_MAX = 8 << 20;
  static final int DEDUP_ENTRIES_MAX = 100_000;

  static final EntityTypes TYPES = EntityTypes.of(Counter.TYPE);
  static final Codec CODEC = Counter.TYPE.codec();

  private final int entities;
  private final Decider decider = new Decider(NODE_ID, TYPES, name -> true, RECORD_BYTES_MAX, ENTRY_BYTES_MAX);
  private final Replica replica;
  private final List<EntityKey> keys;
  private long sequence;
  private long index;
  private int nextKey;

  /**
   * @param entities the commands go round-robin over this many counters
   * @param digested whether the replica keeps its digest (the node's does; it hashes every change)
   */
  HotPath(int entities, boolean digested) {
    if (entities < 1) {
      throw new IllegalArgumentException("entities must be >= 1, was " + entities);
    }
    this.entities = entities;
    this.replica = digested
        ? new Replica(NODE_ID, TYPES, new HeapStateStore(), DEDUP_ENTRIES_MAX, ReplicatedTableLimits.DEFAULT)
        : Replica.withoutDigest(NODE_ID, TYPES, new HeapStateStore(), DEDUP_ENTRIES_MAX, ReplicatedTableLimits.DEFAULT);
    this.keys = new ArrayList<>(entities);
    for (int i = 0; i < entities; i++) {
      keys.add(new EntityKey("default", "counter", "c-" + i));
    }
  }

  /** The next client command: increment the next counter by one, with a fresh request id. */
  Command nextCommand() {
    EntityKey key = keys.get(nextKey);
    nextKey = (nextKey + 1) % entities;
    return Command.newBuilder()
        .setRequestId(RequestId.newBuilder().setClientHi(7).setClientLo(11).setSequence(++sequence))
        .setRef(Protos.ref(key))
        .setPayload(Protos.payload(CODEC.encode(new Counter.Increment(1))))
        .setReplyWanted(true)
        .build();
  }

  /** The work items of {@code batchSize} next commands. */
  List<WorkItem> nextWork(int batchSize) {
    List<WorkItem> work = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      Command c = nextCommand();
      work.add(new WorkItem.ClientCommand(Protos.key(c.getRef()), c));
    }
    return work;
  }

  /** The leader's entry for the next {@code batchSize} commands, decided on the replica's applied state. */
  LogEntry nextEntry(int batchSize, long nowMs) {
    return decider.entry(nextWork(batchSize), new Working(replica), nowMs);
  }

  /** The entry of {@code work} decided on the applied state, without applying it (repeatable: same input, same entry). */
  LogEntry decideOnly(List<WorkItem> work, long nowMs) {
    return decider.entry(work, new Working(replica), nowMs);
  }

  /** Decides one item on the applied state (no speculation kept), as a benchmark of decide alone. */
  Decider.Decided decide(WorkItem item, long nowMs) {
    return decider.decide(item, new Working(replica), nowMs);
  }

  /** Applies {@code entry} at the next index of term 1, as the node's apply thread does. */
  Applied apply(LogEntry entry) {
    return replica.apply(1, ++index, entry, true);
  }

  Replica replica() {
    return replica;
  }

  /** The leader's working state for one entry: this entry's speculation over the replica's applied state. */
  private static final class Working implements Decider.WorkingState {
    private final Replica replica;
    private final TreeMap<EntityKey, Versioned> speculated = new TreeMap<>();

    Working(Replica replica) {
      this.replica = replica;
    }

    @Override
    public Versioned get(EntityKey key) {
      Versioned v = speculated.get(key);
      return v != null ? v : replica.get(key);
    }

    @Override
    public void speculate(EntityKey key, Versioned state) {
      speculated.put(key, state);
    }

    @Override
    public void forget(EntityKey key) {
      speculated.remove(key);
    }

    @Override
    public boolean remembered(RequestKey request) {
      return replica.remembered(request);
    }
  }
}
