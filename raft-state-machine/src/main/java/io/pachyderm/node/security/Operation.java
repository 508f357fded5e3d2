package io.pachyderm.node.security;

import java.util.Locale;

/**
 * What a client request does, as an authorization policy grants it. Each request the client
 * service carries falls in exactly one ({@code io.pachyderm.node.internal.ClientRequests} classifies them).
 */
public enum Operation {
  /** Commands: call and send (a write batch of client commands). */
  CALL,
  /** State reads and named queries. */
  QUERY,
  /** History pages and follow. */
  HISTORY,
  /** Listing dead letters (every ecosystem at once), redriving or discarding one. */
  DEAD_LETTERS,
  /** A node's status (the client's {@code status}, Ratis' groupInfo and groupList). */
  STATUS,
  /** Changing the cluster: Ratis' admin service, and the operator's request kinds. */
  ADMIN;

  /** The name a policy file uses: lower case, '-' for '_' ({@code dead-letters}). */
  public String policyName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether a grant of this operation must cover every ecosystem: it acts on the whole node. */
  public boolean clusterWide() {
    return this == STATUS || this == ADMIN;
  }

  /** The operation a policy file names, or null. */
  static Operation ofPolicyName(String name) {
    for (Operation o : values()) {
      if (o.policyName().equals(name)) {
        return o;
      }
    }
    return null;
  }
}
