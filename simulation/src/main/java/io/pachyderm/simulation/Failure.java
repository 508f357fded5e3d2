package io.pachyderm.simulation;

import io.pachyderm.runtime.EntityKey;

/**
 * Why a schedule is a counterexample.
 *
 * @param entity the entity at fault; for a broken invariant, the entity the breaking step acted on
 *     (the one whose inbox explains it), null when the start world already breaks it
 */
public record Failure(Kind kind, EntityKey entity, String message) {
  public enum Kind {
    /** {@code handle} threw, or returned a decision that cannot be carried out. */
    HANDLER_FAILED,
    /** {@code apply} threw (or returned null) on an event {@code handle} produced. */
    APPLY_FAILED,
    /** The same events applied twice gave different states, or a state did not survive its codec. */
    NON_DETERMINISM,
    /** An invariant did not hold after a step. */
    INVARIANT
  }
}
