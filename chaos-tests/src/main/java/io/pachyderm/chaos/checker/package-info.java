/**
 * Checkers judge a recorded {@link io.pachyderm.chaos.history.History} (or, for effects, the
 * dispatch logs of the nodes) and return a {@link io.pachyderm.chaos.checker.Verdict}: valid or
 * not, the {@link io.pachyderm.chaos.checker.Anomaly anomalies} found, and figures.
 *
 * <p>Checkers are pure functions of their input: no clock (except the optional time budget of
 * {@link io.pachyderm.chaos.checker.LinearizabilityChecker}), no randomness, no hash-order in
 * their output, so the same history always gets the same verdict. Each has tests that feed it a
 * crafted history for every anomaly it claims to detect.
 */
package io.pachyderm.chaos.checker;
