package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class CountersRowTest {
  private static final byte[] KEY = {StoreTables.PREFIX, 'z', 'z'};

  @Test
  void aRowReadsBackTheLongsWrittenInOrder() {
    DiskDedupTableTest.MemoryTables tables = new DiskDedupTableTest.MemoryTables();
    assertThat(CountersRow.read(tables, KEY, 3, "the test's counters")).as("absent").isNull();
    CountersRow.write(tables, KEY, 3, -1, 0, Long.MAX_VALUE);
    ByteBuffer b = CountersRow.read(tables, KEY, 3, "the test's counters");
    assertThat(new long[] {b.getLong(), b.getLong(), b.getLong()}).containsExactly(-1, 0, Long.MAX_VALUE);
    assertThat(b.hasRemaining()).isFalse();
  }

  @Test
  void aRowOfAnotherLengthIsACorruptStoreNamedWithItsTable() {
    DiskDedupTableTest.MemoryTables tables = new DiskDedupTableTest.MemoryTables();
    assertThatThrownBy(() -> CountersRow.write(tables, KEY, 3, 1, 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 longs given 2");
    tables.put(KEY, new byte[20]);
    assertThatThrownBy(() -> CountersRow.read(tables, KEY, 3, "the test's counters"))
        .hasMessage("the test's counters are 20 bytes, not 24: the state store is corrupt");
  }

  @Test
  void bothDiskTablesRefuseACutCountersRowNamingTheTable() {
    DiskDedupTableTest.MemoryTables tables = new DiskDedupTableTest.MemoryTables();
    tables.put(new byte[] {StoreTables.PREFIX, 'd', 'm'}, new byte[8]);
    tables.put(new byte[] {StoreTables.PREFIX, 'o', 'x'}, new byte[8]);
    DiskDedupTable dedup = new DiskDedupTable(tables, 10, ReplicatedTableLimits.DEFAULT, true);
    assertThatThrownBy(dedup::load)
        .hasMessage("the disk de-duplication table's counters are 8 bytes, not 72: the state store is corrupt");
    assertThatThrownBy(() -> new Outbox(tables, true).load())
        .hasMessage("the disk outbox's counts are 8 bytes, not 64: the state store is corrupt");
  }
}
