/**
 * The deterministic core shared by every ecosystem: running {@code handle} and checking
 * {@code apply} for one command ({@link io.pachyderm.runtime.CommandExecutor}), folding
 * committed events into state ({@link io.pachyderm.runtime.EventFolder}), and answering named
 * queries on the read path ({@link io.pachyderm.runtime.QueryExecutor}). No IO, no clock: time
 * and seeds are passed in.
 */
package io.pachyderm.runtime;
