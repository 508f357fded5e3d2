package io.pachyderm.examples.janken;

/** How a game ended. */
public enum Ending {
  /** Both players moved in time; the better hand won, equal hands drew (no winner). */
  PLAYED,
  /** Only one player moved before the deadline; that player won. */
  FORFEIT,
  /** Neither player moved before the deadline; no winner. */
  ABANDONED
}
