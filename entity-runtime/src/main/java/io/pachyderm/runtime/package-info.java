/**
 * The deterministic core shared by every ecosystem: running {@code handle} and checking
 * {@code apply} for one command ({@link io.pachyderm.runtime.CommandExecutor}) and folding
 * committed events into state ({@link io.pachyderm.runtime.EventFolder}). No IO, no clock: time
 * and seeds are passed in.
 */
package io.pachyderm.runtime;
