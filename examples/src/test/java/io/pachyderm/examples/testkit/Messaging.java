package io.pachyderm.examples.testkit;

import io.pachyderm.local.LocalPachyderm;

/** What the embedded node says about messages in flight. */
public final class Messaging {
  private Messaging() {}

  /**
   * Waits (bounded) until the node's replicated outbox holds no undelivered message: everything
   * sent so far has landed, so counts read afterwards are final unless something sends again.
   */
  public static void awaitNoPendingMessages(LocalPachyderm local) {
    Await.until("no pending messages", () -> local.node().outboxStats().pendingMessages() == 0,
        () -> local.node().outboxStats());
  }
}
