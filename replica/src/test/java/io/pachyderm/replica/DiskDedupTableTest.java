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

  /** {@link StoreTables} in a sorted map; every write is "committed" at once. */
  static final class MemoryTables implements StoreTables {
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
    DedupTable heap = new DedupTable(ENTRIES_MAX, LIMITS);
    MemoryTables tables = new MemoryTables();
    DiskDedupTable disk = new DiskDedupTable(tables, ENTRIES_MAX, LIMITS, true);
    Random random = new Random(14);
    List<RequestKey> keys = new ArrayList<>();
    long index = 0;
    for (int step = 0; step < 3_000; step++) {
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
      assertSame(heap, disk, keys, "step " + step);
    }
    assertThat(keys).hasSizeGreaterThan(10 * ENTRIES_MAX);
    assertThat(heap.size()).as("age evicted below the count bound").isLessThan(ENTRIES_MAX);

    DiskDedupTable loaded = new DiskDedupTable(tables, ENTRIES_MAX, LIMITS, true);
    loaded.load();
    assertSame(heap, loaded, keys, "after load");
    List<io.pachyderm.protocol.DedupSnapshot> onDisk = new ArrayList<>();
    loaded.forEach(onDisk::add);
    List<io.pachyderm.protocol.DedupSnapshot> inHeap = new ArrayList<>();
    heap.forEach(inHeap::add);
    assertThat(onDisk).isEqualTo(inHeap);
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
