package io.pachyderm.bench.versus;

import java.util.Locale;

/**
 * Which entity each call goes to and what the call does. The first three are the same
 * state-dependent update over different key distributions; {@link #READ} and {@link #BANK} are
 * other operations, on the systems that have them ({@link #supports}).
 */
enum Workload {
  /** Every entity equally likely. */
  UNIFORM,
  /** Zipfian over the entities (YCSB's constant, 0.99): a few entities take most calls. */
  ZIPFIAN,
  /** Every caller on one entity: each update depends on the one before it. */
  HOT,
  /**
   * A linearizable read of one entity, uniform: Pachyderm's query at {@code ReadMode.LINEARIZABLE},
   * etcd's range with serializable=false (jetcd's default), raw Ratis' read-only query through its
   * ReadIndex, PostgreSQL's {@code SELECT} on its one primary.
   */
  READ,
  /**
   * A transfer of one cent from account i (uniform) to account i+1: Pachyderm's example
   * {@code Account.Transfer}, acknowledged once the debit commits (the credit travels as a message,
   * exactly once, afterwards); etcd's transaction that checks both keys' mod revisions and puts both
   * balances; raw Ratis' one log entry that moves the unit; PostgreSQL's transaction of two
   * conditional updates. Needs at least two entities.
   */
  BANK,
  /**
   * Follow fan-out ({@link FanOut}): --callers followers of one entity, one publisher updating it;
   * a row's ops are deliveries (events x followers) and its latency is publish start to receipt.
   * Pachyderm's {@code Entities.follow}, etcd's watch.
   */
  FOLLOW;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code system} has this workload's operation (the others skip it, saying so). */
  public boolean supports(SystemKind system) {
    return switch (this) {
      case UNIFORM, ZIPFIAN, HOT -> true;
      // etcd-put is etcd's blind write row: it runs the uniform workload only (versus.sh).
      case READ, BANK -> system != SystemKind.ETCD_PUT;
      case FOLLOW -> system == SystemKind.PACHYDERM_CLUSTER || system == SystemKind.PACHYDERM_LOCAL
          || system == SystemKind.ETCD_TXN;
    };
  }

  /** The chooser of this workload over {@code entities} entities. */
  public KeyChooser chooser(int entities) {
    return switch (this) {
      case UNIFORM, READ, BANK -> new KeyChooser.Uniform(entities);
      case ZIPFIAN -> KeyChooser.Zipfian.over(entities, KeyChooser.Zipfian.THETA_YCSB);
      case HOT, FOLLOW -> new KeyChooser.Hot();
    };
  }

  /** One blocking call of this workload on entity {@code key}; returns the conflicts retried. */
  int call(Driver driver, int caller, int key, int entities) throws Exception {
    return switch (this) {
      case UNIFORM, ZIPFIAN, HOT -> driver.update(caller, key);
      case READ -> driver.read(caller, key);
      case BANK -> driver.transfer(caller, key, payee(key, entities));
      case FOLLOW -> throw new IllegalStateException("the follow workload runs as a whole (FanOut), not call by call");
    };
  }

  /** The account a transfer from {@code key} pays: the next one, wrapping. */
  static int payee(int key, int entities) {
    if (entities < 2) {
      throw new IllegalArgumentException("bank transfers need at least 2 accounts, had " + entities);
    }
    return (key + 1) % entities;
  }

  /** The workload named {@code label} (case-insensitive), or an error that lists the names. */
  public static Workload parse(String label) {
    for (Workload w : values()) {
      if (w.label().equalsIgnoreCase(label.strip())) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + label + "': use uniform, zipfian, hot, read, bank or follow");
  }
}
