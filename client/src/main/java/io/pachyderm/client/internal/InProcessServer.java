package io.pachyderm.client.internal;

import java.util.Objects;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * A node in this JVM whose Ratis server takes client requests directly (LocalPachyderm's own node):
 * the client's writes and reads are handed to {@link #server} as Ratis requests, with no loopback
 * socket, no gRPC framing and no copy of the message. Measured on the local ecosystem's rows, where
 * the loopback round trip was most of a call's cost; see README, "Performance".
 *
 * @param server the node's Ratis server
 * @param peerId the node's id in the group
 */
public record InProcessServer(RaftClientAsynchronousProtocol server, RaftPeerId peerId) {
  public InProcessServer {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(peerId, "peerId");
  }
}
