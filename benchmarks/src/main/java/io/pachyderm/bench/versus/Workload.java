package io.pachyderm.bench.versus;

import java.util.Locale;

/** Which entity each call goes to; every workload is the same state-dependent update. */
enum Workload {
  /** Every entity equally likely. */
  UNIFORM,
  /** Zipfian over the entities (YCSB's constant, 0.99): a few entities take most calls. */
  ZIPFIAN,
  /** Every caller on one entity: each update depends on the one before it. */
  HOT;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The chooser of this workload over {@code entities} entities. */
  public KeyChooser chooser(int entities) {
    return switch (this) {
      case UNIFORM -> new KeyChooser.Uniform(entities);
      case ZIPFIAN -> KeyChooser.Zipfian.over(entities, KeyChooser.Zipfian.THETA_YCSB);
      case HOT -> new KeyChooser.Hot();
    };
  }

  /** The workload named {@code label} (case-insensitive), or an error that lists the names. */
  public static Workload parse(String label) {
    for (Workload w : values()) {
      if (w.label().equalsIgnoreCase(label.strip())) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + label + "': use uniform, zipfian or hot");
  }
}
