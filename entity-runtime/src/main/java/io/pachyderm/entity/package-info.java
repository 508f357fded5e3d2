/**
 * The programming model: an {@link io.pachyderm.entity.Entity} decides on commands
 * ({@link io.pachyderm.entity.Decision}) and folds events into state. Everything here is plain
 * Java with no knowledge of Ratis, the network or the disk.
 */
package io.pachyderm.entity;
