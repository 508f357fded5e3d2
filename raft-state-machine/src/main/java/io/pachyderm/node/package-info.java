/**
 * A Pachyderm node: one Ratis server hosting the entity state machine. Start three (or five)
 * with the same peer list to form a cluster; see {@link io.pachyderm.node.PachydermNode}. Its public
 * signatures hold no Ratis, protobuf, replica or {@code node.internal} type ({@code PublicSurfaceTest}
 * in module {@code local}); the Ratis server is reached through
 * {@code io.pachyderm.node.internal.NodeInternals}, for tests and tooling only. The builder collects
 * into a {@code NodeDraft}; {@code NodeSettings} checks the values together, and {@code NodeParts}
 * assembles the node from them (all package-private). Its settings are in
 * {@code io.pachyderm.node.settings}, its reports in {@code io.pachyderm.node.status}: this package
 * uses {@code node.internal}, which never uses this package.
 */
package io.pachyderm.node;
