package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Rejection;
import io.pachyderm.protocol.RequestId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The disk de-duplication table against the heap one, on tables in memory: the same entries,
 * answers, counters and digest after every step, through every bound (count, bytes, replies,
 * reply bytes, age), and after its counters are read back as a checkpoint's load does.
 */
class DiskDedupTableTest {
  private static final ReplicatedTableLimits LIMITS = ReplicatedTableLimits.DEFAULT.withDedup(40 << 10, 25, 6 << 10)
      .withDedupAgeEntriesMax(300);
  private static final int ENTRIES_MAX = 80;
  /** Replies forgotten right behind the oldest entry: both cursors in the same records. */
  private static final ReplicatedTableLimits REPLY_CURSOR_AT_HEAD = ReplicatedTableLimits.DEFAULT
      .withDedup(1 << 20, ENTRIES_MAX * 3 / 4 - 2, 1 << 20).withDedupAgeEntriesMax(300);

  /** {@link StoreTables} in a sorted map; every write is "committed" at once. */
  static class MemoryTables implements StoreTables {
    final TreeMap<byte[], byte[]> map = new TreeMap<>(Arrays::compareUnsigned);

    @Override
    public byte[] get(byte[] key) {
      return map.get(key);
    }

    @Override
    public void put(byte[] key, byte[] value) {
      map.put(key.clone(), value);
    }

    @Override
    public void delete(byte[] key) {
      map.remove(key);
    }

    @Override
    public void forEach(byte[] prefix, Visitor visitor) {
      forEachFrom(prefix, prefix, visitor);
    }

    @Override
    public void forEachFrom(byte[] prefix, byte[] fromKey, Visitor visitor) {
      for (var e : map.tailMap(fromKey, true).entrySet()) {
        if (!Arrays.equals(e.getKey(), 0, Math.min(prefix.length, e.getKey().length), prefix, 0, prefix.length)
            || !visitor.visit(e.getKey(), e.getValue())) {
          return;
        }
      }
    }
  }

  @Test
  void theDiskTableFollowsTheHeapTablesRulesStepForStep() {
    MemoryTables tables = new MemoryTables();
    stepForStep(tables, new DiskDedupTable(tables, ENTRIES_MAX, LIMITS, true), () -> { }, -1, LIMITS);
  }

  /**
   * Pages of a few order records over tables whose scans see only committed writes: each cursor
   * pages many times, crosses records the entry being applied wrote (not scannable yet) and
   * records whose reply it forgot in the same entry (a scan would read them in their old form).
   */
  @Test
  void smallPagesOverCommittedScansGiveWhatTheHeapTableGives() {
    for (ReplicatedTableLimits limits : List.of(LIMITS, REPLY_CURSOR_AT_HEAD)) {
      for (int pageRecords : new int[] {1, 2, 7}) {
        DiskOutboxTest.BatchedTables tables = new DiskOutboxTest.BatchedTables(); // scans see committed writes only
        stepForStep(tables, new DiskDedupTable(tables, ENTRIES_MAX, limits, true, pageRecords), tables::commit, -1,
            limits);
      }
    }
  }

  /**
   * A store written before order records carried their outcome's sizes (33-byte records): the
   * table, loaded from it, evicts and forgets replies as before, reading those outcomes, and writes
   * its records in the new form from then on.
   */
  @Test
  void orderRecordsWrittenByTheEarlierReleaseAreReadAndReplaced() {
    DiskOutboxTest.BatchedTables tables = new DiskOutboxTest.BatchedTables(); // scans see committed writes only
    stepForStep(tables, new DiskDedupTable(tables, ENTRIES_MAX, LIMITS, true, 5), tables::commit, 1_200, 33, LIMITS);
    long oldForm = tables.committed.entrySet().stream()
        .filter(e -> e.getKey()[1] == 'd' && e.getKey()[2] == 'o' && e.getValue().length == 33).count();
    assertThat(oldForm).as("order records still in the earlier form at the end").isZero();
  }

  /**
   * A store written by the release before order records carried the outcome kept after the reply
   * (49-byte records, sizes as they are now): loaded, the table forgets their replies by reading
   * the outcome and rewriting the record, as that release did, and its own records by the cursor.
   */
  @Test
  void sizedOrderRecordsWithoutTheKeptOutcomeStillForgetTheirReplies() {
    for (ReplicatedTableLimits limits : List.of(LIMITS, REPLY_CURSOR_AT_HEAD)) {
      DiskOutboxTest.BatchedTables tables = new DiskOutboxTest.BatchedTables();
      stepForStep(tables, new DiskDedupTable(tables, ENTRIES_MAX, limits, true, 5), tables::commit, 1_200, 49, limits);
    }
  }

  /**
   * At the replies bound each new entry forgets the oldest reply: one write of the outcome without
   * it (carried by its order record), no read of the outcome and no second write of the record.
   */
  @Test
  void forgettingAReplyReadsNoOutcomeAndRewritesNoOrderRecord() {
    ReplicatedTableLimits fewReplies = ReplicatedTableLimits.DEFAULT.withDedup(1 << 20, 3, 1 << 20);
    CountingTables tables = new CountingTables();
    DedupTable heap = new DedupTable(1_000, fewReplies);
    DiskDedupTable disk = new DiskDedupTable(tables, 1_000, fewReplies, true);
    List<RequestKey> keys = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      RequestKey key = key(i);
      keys.add(key);
      heap.remember(key, applied(key, 40), i);
      disk.remember(key, applied(key, 40), i);
      disk.beforeCommit();
    }
    assertThat(tables.entryReads).as("outcome reads").isZero();
    assertThat(tables.orderPuts).as("order record writes: one per entry").isEqualTo(200);
    assertThat(disk.repliesKept()).isEqualTo(3);
    assertSame(heap, disk, keys, "after 200 entries");
    DiskDedupTable loaded = new DiskDedupTable(tables, 1_000, fewReplies, true);
    loaded.load();
    assertSame(heap, loaded, keys, "loaded");
  }

  /**
   * Runs 3,000 steps of remembering, bounding and expiring on {@code disk} and a heap table,
   * comparing them after each. At step {@code downgradeAt} (when >= 0) every order record is
   * rewritten in an earlier release's form ({@code downgradeBytes}: 33 or 49) and the table is
   * loaded anew from the tables.
   */
  private static void stepForStep(StoreTables tables, DiskDedupTable first, Runnable commit, int downgradeAt,
                                  ReplicatedTableLimits limits) {
    stepForStep(tables, first, commit, downgradeAt, 0, limits);
  }

  private static void stepForStep(StoreTables tables, DiskDedupTable first, Runnable commit, int downgradeAt,
                                  int downgradeBytes, ReplicatedTableLimits limits) {
    DedupTable heap = new DedupTable(ENTRIES_MAX, limits);
    DiskDedupTable disk = first;
    Random random = new Random(14);
    List<RequestKey> keys = new ArrayList<>();
    long index = 0;
    for (int step = 0; step < 3_000; step++) {
      if (step == downgradeAt) {
        downgrade(tables, downgradeBytes);
        commit.run();
        disk = new DiskDedupTable(tables, ENTRIES_MAX, limits, true, 5);
        disk.load();
        assertSame(heap, disk, keys, "loaded after the downgrade");
      }
      index += 1 + (step > 2_000 ? random.nextInt(20) : 0); // late steps far apart: age bound
      int records = random.nextInt(4);
      for (int r = 0; r < records; r++) {
        RequestKey key = key(keys.size() + 1);
        keys.add(key);
        Outcome outcome = random.nextInt(5) == 0 ? rejected(key) : applied(key, random.nextInt(1_500));
        heap.remember(key, outcome, index);
        disk.remember(key, outcome, index);
      }
      heap.expire(index);
      disk.expire(index);
      disk.beforeCommit();
      commit.run();
      assertSame(heap, disk, keys, "step " + step);
    }
    assertThat(keys).hasSizeGreaterThan(10 * ENTRIES_MAX);
    assertThat(heap.size()).as("age evicted below the count bound").isLessThan(ENTRIES_MAX);

    DiskDedupTable loaded = new DiskDedupTable(tables, ENTRIES_MAX, limits, true);
    loaded.load();
    assertSame(heap, loaded, keys, "after load");
    List<io.pachyderm.protocol.DedupSnapshot> onDisk = new ArrayList<>();
    loaded.forEach(onDisk::add);
    List<io.pachyderm.protocol.DedupSnapshot> inHeap = new ArrayList<>();
    heap.forEach(inHeap::add);
    assertThat(onDisk).isEqualTo(inHeap);
  }

  /**
   * Rewrites every order record as an earlier release wrote it: 33 bytes (index, "held a reply",
   * request id) or 49 (and the sizes and digest as they count now, without the kept outcome).
   */
  private static void downgrade(StoreTables tables, int bytes) {
    List<byte[][]> records = new ArrayList<>();
    tables.forEach(new byte[] {StoreTables.PREFIX, 'd', 'o'}, (k, v) -> records.add(new byte[][] {k, v}));
    assertThat(records).isNotEmpty();
    // The reply cursor: the counters' third long.
    long replyCursorSeq = java.nio.ByteBuffer.wrap(tables.get(new byte[] {StoreTables.PREFIX, 'd', 'm'})).getLong(16);
    long withKept = 0;
    for (byte[][] r : records) {
      long seq = java.nio.ByteBuffer.wrap(r[0]).getLong(3);
      DedupOrder o = DedupOrder.decode(r[1]);
      withKept += o.hasKept() ? 1 : 0;
      DedupOrder now = o.at(seq, replyCursorSeq);
      tables.put(r[0], bytes == 33
          ? java.nio.ByteBuffer.allocate(33).putLong(o.index()).put((byte) (o.heldReply() ? 1 : 0))
              .putLong(o.key().clientHi()).putLong(o.key().clientLo()).putLong(o.key().sequence()).array()
          : new DedupOrder(now.index(), now.heldReply(), now.key(), now.holdsReply(), now.entryBytes(),
              now.replyBytes(), now.digest()).encode());
    }
    assertThat(withKept).as("records carrying the kept outcome before the downgrade").isPositive();
  }

  /** The apply path's look-up of a new request id reads nothing from the store; a held one is read. */
  @Test
  void aNewRequestIdIsAnsweredWithoutAStoreReadAlsoAfterALoad() {
    CountingTables tables = new CountingTables();
    DiskDedupTable disk = new DiskDedupTable(tables, ENTRIES_MAX, LIMITS, true);
    for (int i = 1; i <= 50; i++) {
      assertThat(disk.getApplying(key(i))).isNull();
      disk.remember(key(i), applied(key(i), 10), i);
      disk.beforeCommit();
    }
    DiskDedupTable loaded = new DiskDedupTable(tables, ENTRIES_MAX, LIMITS, true);
    loaded.load();
    int readsBefore = tables.entryReads;
    int falsePositives = 0;
    for (int i = 1_000; i < 2_000; i++) {
      assertThat(loaded.getApplying(key(i))).isNull();
    }
    falsePositives = tables.entryReads - readsBefore;
    assertThat(falsePositives).as("store reads for 1,000 new ids").isLessThan(50);
    for (int i = 1; i <= 50; i++) {
      assertThat(loaded.getApplying(key(i))).as("held %d, after load", i).isEqualTo(loaded.get(key(i)))
          .isNotNull();
    }
    assertThat(tables.entryReads - readsBefore - falsePositives).as("one read per held id, and one per get").isEqualTo(100);

    // The leader's look-up before deciding (any thread) goes through the same filter.
    readsBefore = tables.entryReads;
    for (int i = 1_000; i < 2_000; i++) {
      assertThat(loaded.holds(key(i))).isFalse();
    }
    assertThat(tables.entryReads - readsBefore).as("store reads for 1,000 new ids, leader look-up").isLessThan(50);
    for (int i = 1; i <= 50; i++) {
      assertThat(loaded.holds(key(i))).as("held %d", i).isTrue();
    }
  }

  /** Tables that count the reads of request-id rows ({@code Tde}) and the writes of order records ({@code Tdo}). */
  private static final class CountingTables extends MemoryTables {
    int entryReads;
    int orderPuts;

    @Override
    public void put(byte[] key, byte[] value) {
      if (key.length > 2 && key[1] == 'd' && key[2] == 'o') {
        orderPuts++;
      }
      super.put(key, value);
    }

    @Override
    public byte[] get(byte[] key) {
      if (key.length > 2 && key[1] == 'd' && key[2] == 'e') {
        entryReads++;
      }
      return super.get(key);
    }
  }

  @Test
  void restoringALargerTableThenEnforcingTheBoundsGivesWhatTheHeapTableGives() {
    ReplicatedTableLimits small = ReplicatedTableLimits.DEFAULT.withDedup(16 << 10, 3, 1 << 10);
    DedupTable heap = new DedupTable(50, small);
    DiskDedupTable disk = new DiskDedupTable(new MemoryTables(), 50, small, true);
    List<RequestKey> keys = new ArrayList<>();
    for (int i = 1; i <= 80; i++) {
      RequestKey key = key(i);
      keys.add(key);
      heap.restore(key, applied(key, 300), i);
      disk.restore(key, applied(key, 300), i);
    }
    assertThat(disk.digest()).isEqualTo(heap.digest());
    heap.enforceLimits();
    disk.enforceLimits();
    assertSame(heap, disk, keys, "after enforcing");
  }

  private static void assertSame(DedupTable heap, Dedup disk, List<RequestKey> keys, String where) {
    assertThat(disk.digest()).as("digest, %s", where).isEqualTo(heap.digest());
    assertThat(disk.size()).as("size, %s", where).isEqualTo(heap.size());
    assertThat(disk.bytes()).as("bytes, %s", where).isEqualTo(heap.bytes());
    assertThat(disk.repliesKept()).as("replies, %s", where).isEqualTo(heap.repliesKept());
    for (int i = Math.max(0, keys.size() - 3 * ENTRIES_MAX); i < keys.size(); i++) {
      assertThat(disk.get(keys.get(i))).as("%s, %s", keys.get(i), where).isEqualTo(heap.get(keys.get(i)));
      assertThat(disk.getApplying(keys.get(i))).as("%s through the filter, %s", keys.get(i), where)
          .isEqualTo(heap.get(keys.get(i)));
    }
  }

  private static RequestKey key(long sequence) {
    return RequestKey.of(RequestId.newBuilder().setClientHi(7).setClientLo(9).setSequence(sequence).build());
  }

  private static Outcome applied(RequestKey key, int replyBytes) {
    Applied.Builder a = Applied.newBuilder().setVersion(key.sequence());
    if (replyBytes > 0) {
      a.setReply(Payload.newBuilder().setData(ByteString.copyFrom(new byte[replyBytes])));
    }
    return Outcome.newBuilder().setRequestId(key.toProto()).setApplied(a).build();
  }

  private static Outcome rejected(RequestKey key) {
    return Outcome.newBuilder().setRequestId(key.toProto()).setRejected(Rejection.newBuilder().setMessage("no")).build();
  }
}
