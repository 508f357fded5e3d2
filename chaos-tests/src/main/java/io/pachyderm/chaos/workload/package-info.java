/**
 * What clients do during a chaos run: the workload entity types every node serves (register,
 * counter, append list, effect counter, reliable effect counter, bank account), the generators
 * of operations on a rotating (or, for the bank, fixed) set of keys, and
 * {@link io.pachyderm.chaos.workload.WorkloadDriver}, which runs the client processes and records
 * every operation with its outcome (OK, FAIL, or INFO when unknown).
 */
package io.pachyderm.chaos.workload;
