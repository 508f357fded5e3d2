/**
 * A Pachyderm node: one Ratis server hosting the entity state machine. Start three (or five)
 * with the same peer list to form a cluster; see {@link io.pachyderm.node.PachydermNode}.
 */
package io.pachyderm.node;
