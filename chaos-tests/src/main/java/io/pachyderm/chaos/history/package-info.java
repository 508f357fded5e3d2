/**
 * The recorded history of a chaos run, in Jepsen's vocabulary: every client operation is an
 * {@link io.pachyderm.chaos.history.OpType#INVOKE INVOKE} followed by at most one completion
 * ({@code OK}, {@code FAIL} or {@code INFO}), each an {@link io.pachyderm.chaos.history.Op} with
 * an index that orders the whole history consistently with real time.
 *
 * <p>{@link io.pachyderm.chaos.history.HistoryRecorder} is the only writer during a run (thread
 * safe, optionally streaming JSON lines so that a crashed run still leaves its history);
 * {@link io.pachyderm.chaos.history.History} is the immutable value the checkers read. The JSON
 * lines format is the one {@link io.pachyderm.chaos.history.History#write} and
 * {@link io.pachyderm.chaos.history.History#read} agree on: one object per op, field names as in
 * the {@code Op} record.
 */
package io.pachyderm.chaos.history;
