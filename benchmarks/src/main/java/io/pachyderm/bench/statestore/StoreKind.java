package io.pachyderm.bench.statestore;

import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.PachydermNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which entity state store a benchmark's nodes use, as the {@code --store heap|disk} flag names
 * it. The benchmarks never build a node without passing through {@link #configure}: it is the
 * one place where the kind reaches a node builder, so that the same benchmark measures every store
 * the build has, side by side.
 *
 * <p>This build's nodes have one store, the in-heap one (every entity's state in one map). Until
 * the node builders take a state store kind (issue 14: {@code stateStore(StateStoreKind)}),
 * {@link #parse} refuses {@code disk} and {@link #available()} lists {@code heap} alone. Immutable.
 */
public enum StoreKind {
  /** Every entity's state in the node's heap: today's store. */
  HEAP,
  /** Entity state on disk behind a bounded cache (issue 14); not in this build. */
  DISK;

  /** What {@link #parse} says about {@code disk} while the node builders have no state store option. */
  static final String DISK_MISSING = "this build has no disk state store (the node builders have no"
      + " stateStore(StateStoreKind) option yet); --store heap is the only choice";

  /** The kinds this build's nodes can run, in table order. */
  public static List<StoreKind> available() {
    return List.of(HEAP);
  }

  /** The flag's spelling: {@code heap} or {@code disk}. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind a {@code --store} value names (case-insensitive, surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the value when it is no store, or a store this build lacks
   */
  public static StoreKind parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (StoreKind k : values()) {
      if (k.flag().equals(v)) {
        if (!available().contains(k)) {
          throw new IllegalArgumentException("--store " + v + ": " + DISK_MISSING);
        }
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

  /**
   * Sets this store on a local ecosystem's builder. The heap store is what {@code LocalPachyderm}
   * runs by default in this build, so nothing is set for it.
   */
  public LocalPachyderm.Builder configure(LocalPachyderm.Builder builder) {
    requireAvailable();
    return builder;
  }

  /** Sets this store on a node's builder; as {@link #configure(LocalPachyderm.Builder)}. */
  public PachydermNode.Builder configure(PachydermNode.Builder builder) {
    requireAvailable();
    return builder;
  }

  private void requireAvailable() {
    if (!available().contains(this)) {
      throw new IllegalStateException("state store " + flag() + ": " + DISK_MISSING);
    }
  }
}
