package io.pachyderm.bench.versus;

import java.util.Locale;

/** The systems of the side-by-side table, in the order the table prints them. */
enum SystemKind {
  /** Three node JVMs (the launcher's main), driven through {@code PachydermClient}. */
  PACHYDERM_CLUSTER("pachyderm-cluster"),
  /** Three Ratis servers (separate JVMs) with a minimal state machine: a durable counter per key. */
  RAW_RATIS("raw-ratis"),
  /** Three etcd members: read the key's mod revision, then a transaction that puts if it is unchanged. */
  ETCD_TXN("etcd-txn"),
  /** The same etcd cluster: a plain put, no read (etcd's plain durable write rate). */
  ETCD_PUT("etcd-put"),
  /** {@code LocalPachyderm}, one process: the load generator's own. */
  PACHYDERM_LOCAL("pachyderm-local"),
  /** PostgreSQL: SELECT version, then UPDATE ... WHERE version = ?, retried on conflict. */
  POSTGRES_OCC("postgres-occ");

  private final String label;

  SystemKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static SystemKind parse(String label) {
    for (SystemKind k : values()) {
      if (k.label.equals(label.strip().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown system '" + label + "': use pachyderm-cluster, raw-ratis, etcd-txn, "
        + "etcd-put, pachyderm-local or postgres-occ");
  }

  /** The table's order: a row's system rank. */
  static int rank(String label) {
    for (SystemKind k : values()) {
      if (k.label.equals(label)) {
        return k.ordinal();
      }
    }
    return values().length;
  }
}
