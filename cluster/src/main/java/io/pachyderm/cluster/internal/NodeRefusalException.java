package io.pachyderm.cluster.internal;

import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * The old wire form of a node's refusal of the caller, kept so that a client still understands a
 * node from before {@link NodeRefusals}: such a node names this class (by its full name, which is
 * why it must not move) in Ratis' exception-type trailer, and Ratis' client rebuilds it from the
 * status description. Nodes no longer send it; {@link NodeRefusals#accessDenied} recognises it.
 */
public final class NodeRefusalException extends StateMachineException {
  private static final long serialVersionUID = 1L;

  /** Ratis' client instantiates it through this constructor (reflection): keep it. */
  public NodeRefusalException(String message) {
    super(message);
  }

}
