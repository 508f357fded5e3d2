/**
 * The Ratis side: {@link io.pachyderm.node.internal.EntityStateMachine} maps entities onto the
 * Raft log (DESIGN.md section 2). Package-private machinery; the public surface is
 * {@link io.pachyderm.node.PachydermNode}.
 */
package io.pachyderm.node.internal;
