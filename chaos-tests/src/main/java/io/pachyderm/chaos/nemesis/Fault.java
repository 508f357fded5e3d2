package io.pachyderm.chaos.nemesis;

/** A fault in force: what was done, and how to undo it. */
public interface Fault {
  /** What was done, for the report: {@code kill n2 (leader)}, {@code partition halves [n1] | [n2 n3]}. */
  String name();

  /** Undoes the fault: restarts, resumes, or removes the DROP rules. */
  void heal();

  /**
   * What healing found, for the heal's line in {@code nemesis.log} (e.g. a node that had exited
   * while its disk was full, and its exit code); empty when there is nothing to add. Read after
   * {@link #heal()}.
   */
  default String healed() {
    return "";
  }

  /** A fault named {@code name} that {@code heal} undoes. */
  static Fault of(String name, Runnable heal) {
    return new Fault() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void heal() {
        heal.run();
      }
    };
  }
}
