package io.pachyderm.bench.versus;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * etcd through jetcd (its gRPC API), one client shared by all callers. {@link Mode#TXN} is etcd's
 * optimistic update, the state-dependent write: a linearizable read of the key's mod revision,
 * then a transaction that puts only if the revision is unchanged, retried on conflict.
 * {@link Mode#PUT} is a plain put (no read, no condition): etcd's raw durable write rate.
 */
final class EtcdDriver implements Driver {
  /** A caller that loses this many races in a row on one update reports an error rather than spin on. */
  static final int CONFLICT_RETRIES_MAX = 10_000;
  /** jetcd's futures have no deadline of their own; a call waits this long at most. */
  static final long CALL_TIMEOUT_MS = 30_000;
  /** The bank workload's opening balance, the example Account's. */
  static final long OPENING_BALANCE_CENTS = 100_00;

  enum Mode { TXN, PUT }

  private final Client client;
  private final KV kv;
  private final Mode mode;
  private final List<ByteSequence> keys;
  private final ByteSequence value;
  /** The bank workload's keys, apart from the registers'. */
  private final List<ByteSequence> accounts;

  EtcdDriver(List<String> endpoints, Mode mode, int entityCount, byte[] payload) {
    this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
    this.kv = client.getKVClient();
    this.mode = mode;
    this.keys = new ArrayList<>(entityCount);
    for (int i = 0; i < entityCount; i++) {
      keys.add(ByteSequence.from("e-" + i, StandardCharsets.UTF_8));
    }
    this.value = ByteSequence.from(payload);
    this.accounts = new ArrayList<>(entityCount);
    for (int i = 0; i < entityCount; i++) {
      accounts.add(ByteSequence.from("a-" + i, StandardCharsets.UTF_8));
    }
  }

  @Override
  public int update(int caller, int key) throws Exception {
    ByteSequence k = keys.get(key);
    if (mode == Mode.PUT) {
      kv.put(k, value).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      return 0;
    }
    return conditionalPut(key).conflicts();
  }

  /** A conditional put's outcome: the lost races before it, and the revision it made. */
  private record Put(int conflicts, long revision) {}

  /** Reads the key's mod revision, then puts only if it is unchanged; retried on a lost race, bounded. */
  private Put conditionalPut(int key) throws Exception {
    ByteSequence k = keys.get(key);
    for (int conflicts = 0; conflicts <= CONFLICT_RETRIES_MAX; conflicts++) {
      GetResponse current = kv.get(k).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      // An absent key compares as mod revision 0, so the first update of a key is conditional too.
      long revision = current.getKvs().isEmpty() ? 0 : current.getKvs().get(0).getModRevision();
      TxnResponse txn = kv.txn()
          .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(revision)))
          .Then(Op.put(k, value, PutOption.DEFAULT))
          .commit().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (txn.isSucceeded()) {
        return new Put(conflicts, txn.getHeader().getRevision());
      }
    }
    throw new IllegalStateException("etcd update of key " + key + " lost " + CONFLICT_RETRIES_MAX + " races in a row");
  }

  /** A linearizable range read of one key (jetcd's default: serializable=false). */
  @Override
  public int read(int caller, int key) throws Exception {
    kv.get(keys.get(key)).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    return 0;
  }

  /**
   * One cent from account key {@code from} to {@code to}, optimistically: read both balances (an
   * absent key holds {@link #OPENING_BALANCE_CENTS}), then a transaction that puts both new
   * balances if neither key's mod revision changed; retried on conflict, bounded.
   */
  @Override
  public int transfer(int caller, int from, int to) throws Exception {
    ByteSequence a = accounts.get(from);
    ByteSequence b = accounts.get(to);
    for (int conflicts = 0; conflicts <= CONFLICT_RETRIES_MAX; conflicts++) {
      GetResponse ra = kv.get(a).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      GetResponse rb = kv.get(b).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      TxnResponse txn = kv.txn()
          .If(new Cmp(a, Cmp.Op.EQUAL, CmpTarget.modRevision(revision(ra))),
              new Cmp(b, Cmp.Op.EQUAL, CmpTarget.modRevision(revision(rb))))
          .Then(Op.put(a, cents(balance(ra) - 1), PutOption.DEFAULT), Op.put(b, cents(balance(rb) + 1), PutOption.DEFAULT))
          .commit().get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (txn.isSucceeded()) {
        return conflicts;
      }
    }
    throw new IllegalStateException("etcd transfer " + from + " -> " + to + " lost " + CONFLICT_RETRIES_MAX
        + " races in a row");
  }

  private static long revision(GetResponse r) {
    return r.getKvs().isEmpty() ? 0 : r.getKvs().get(0).getModRevision();
  }

  private static long balance(GetResponse r) {
    return r.getKvs().isEmpty() ? OPENING_BALANCE_CENTS
        : Long.parseLong(r.getKvs().get(0).getValue().toString(StandardCharsets.US_ASCII));
  }

  private static ByteSequence cents(long balance) {
    return ByteSequence.from(Long.toString(balance), StandardCharsets.US_ASCII);
  }

  @Override
  public CompletableFuture<Integer> updateAsync(int key) {
    ByteSequence k = keys.get(key);
    CompletableFuture<Integer> update = mode == Mode.PUT
        ? kv.put(k, value).thenApply(r -> 0) : txnAsync(k, key, 0);
    return update.orTimeout(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** The read and conditional put of {@link #update}, chained; a lost race starts over (bounded). */
  private CompletableFuture<Integer> txnAsync(ByteSequence k, int key, int conflicts) {
    if (conflicts > CONFLICT_RETRIES_MAX) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "etcd update of key " + key + " lost " + CONFLICT_RETRIES_MAX + " races in a row"));
    }
    return kv.get(k).thenCompose(current -> {
      long revision = current.getKvs().isEmpty() ? 0 : current.getKvs().get(0).getModRevision();
      return kv.txn()
          .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(revision)))
          .Then(Op.put(k, value, PutOption.DEFAULT))
          .commit();
    }).thenCompose(txn -> txn.isSucceeded()
        ? CompletableFuture.completedFuture(conflicts) : txnAsync(k, key, conflicts + 1));
  }

  /**
   * The update's transaction (read, conditional put, retried on a lost race) returning its
   * revision, which the watchers see as the event's mod revision.
   */
  @Override
  public long publish(int key) throws Exception {
    return conditionalPut(key).revision();
  }

  /** A watch of the key from now (jetcd multiplexes every watch of this client on one stream). */
  @Override
  public AutoCloseable follow(int key, LongConsumer onEvent) {
    Watch.Watcher watcher = client.getWatchClient().watch(keys.get(key), Watch.listener(response -> {
      for (WatchEvent e : response.getEvents()) {
        onEvent.accept(e.getKeyValue().getModRevision());
      }
    }));
    return watcher::close;
  }

  @Override
  public void close() {
    client.close();
  }
}
