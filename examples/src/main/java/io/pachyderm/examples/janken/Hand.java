package io.pachyderm.examples.janken;

/** What a player shows: rock beats scissors, scissors beat paper, paper beats rock. */
public enum Hand {
  ROCK,
  PAPER,
  SCISSORS;

  /** Whether this hand wins against {@code other}; false for equal hands. */
  public boolean beats(Hand other) {
    return (this == ROCK && other == SCISSORS)
        || (this == SCISSORS && other == PAPER)
        || (this == PAPER && other == ROCK);
  }
}
