package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;

/** Judges a history. Implementations are stateless and thread-safe. */
public interface Checker {
  Verdict check(History history);
}
