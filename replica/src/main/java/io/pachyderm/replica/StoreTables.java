package io.pachyderm.replica;

/**
 * Ordered byte tables a disk {@link StateStore} keeps beside the entities, committed with them at
 * each entry and written to disk in the same batches as their states and the applied index, so that the replicated tables (the
 * de-duplication table: {@link DiskDedupTable}; the outbox: {@link DiskOutboxTables}) are part of every checkpoint and never half an
 * entry ahead of the entities. Keys start with {@link #PREFIX}; the byte after it names the table.
 *
 * <p>Thread-safety: {@link #put} and {@link #delete} on the apply thread, where they become part of
 * the store at the next {@link StateStore#commit}; {@link #get} from any thread sees them at once
 * (as a heap table's concurrent map would), then what the store holds. {@link #forEach} and {@link #forEachFrom} read only
 * what was committed: on the apply thread, or on a store no replica writes.
 */
public interface StoreTables {
  /** The first byte of every table key; entity and store metadata keys start with other bytes. */
  byte PREFIX = 'T';

  /** The value of {@code key}, or null; the entry being applied's writes included. */
  byte[] get(byte[] key);

  /** Sets {@code key} in the entry being applied. Apply thread. */
  void put(byte[] key, byte[] value);

  /** Deletes {@code key} in the entry being applied. Apply thread. */
  void delete(byte[] key);

  /** Visits every committed key starting with {@code prefix}, in bytewise key order. */
  void forEach(byte[] prefix, Visitor visitor);

  /**
   * Visits the committed keys starting with {@code prefix} that are at or after {@code fromKey}
   * (bytewise), in key order: how a reader pages through a table without holding it whole.
   */
  void forEachFrom(byte[] prefix, byte[] fromKey, Visitor visitor);

  /** Receives the keys {@link #forEach} visits; returns false to stop. */
  @FunctionalInterface
  interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }
}
