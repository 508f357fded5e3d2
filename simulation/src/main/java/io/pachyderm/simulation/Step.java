package io.pachyderm.simulation;

import io.pachyderm.api.RejectionKind;

/**
 * One transition taken: the world after it, what happened, and the reply or rejection of a
 * delivered command.
 *
 * @param outcome e.g. {@code "accepted, 1 event, 1 message"} or {@code "rejected: insufficient funds"}
 * @param failure non-null when this step makes the schedule a counterexample
 * @param reply the decoded reply of a delivered command (null when rejected or not a delivery)
 * @param rejection the kind of rejection, null when accepted
 */
public record Step(Transition transition, World after, String outcome, Failure failure, Object reply,
                   boolean replyIsState, RejectionKind rejection, String rejectionMessage) {
  @Override
  public String toString() {
    return transition.describe() + " => " + outcome;
  }
}
