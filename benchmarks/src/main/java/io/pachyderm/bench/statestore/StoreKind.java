package io.pachyderm.bench.statestore;

import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.settings.StateStoreKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which entity state store a benchmark's nodes use, as the {@code --store heap|disk} flag names
 * it. The benchmarks never build a node without passing through {@link #configure}: it is the
 * one place where the kind reaches a node builder, so that the same benchmark measures every store
 * the build has, side by side.
 *
 * <p>Each kind is the node's {@link io.pachyderm.node.settings.StateStoreKind} of the same name, set on the
 * builder explicitly (never left to the builder's default, which may change). Immutable.
 */
public enum StoreKind {
  /** Every entity's state in the node's heap. */
  HEAP,
  /** Entity state in RocksDB behind a bounded cache (issue 14). */
  DISK;

  /** The kinds this build's nodes can run, in table order. */
  public static List<StoreKind> available() {
    return List.of(HEAP, DISK);
  }

  /** The flag's spelling: {@code heap} or {@code disk}. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind a {@code --store} value names (case-insensitive, surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the value when it is no store
   */
  public static StoreKind parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (StoreKind k : values()) {
      if (k.flag().equals(v)) {
        return k;
      }
    }
    throw new IllegalArgumentException("--store '" + value + "': not a state store; expected heap or disk");
  }

  /** Every kind a comma-separated {@code --store} list names, in its order, each once. */
  public static List<StoreKind> parseList(List<String> values) {
    List<StoreKind> kinds = new ArrayList<>();
    for (String v : values) {
      StoreKind k = parse(v);
      if (!kinds.contains(k)) {
        kinds.add(k);
      }
    }
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("--store names no state store; expected heap or disk");
    }
    return kinds;
  }

  /** Sets this store on a local ecosystem's builder. */
  public LocalPachyderm.Builder configure(LocalPachyderm.Builder builder) {
    return builder.stateStore(nodeKind());
  }

  /** Sets this store on a node's builder. */
  public PachydermNode.Builder configure(PachydermNode.Builder builder) {
    return builder.stateStore(nodeKind());
  }

  /** The node's kind of the same name. */
  public StateStoreKind nodeKind() {
    return StateStoreKind.valueOf(name());
  }
}
