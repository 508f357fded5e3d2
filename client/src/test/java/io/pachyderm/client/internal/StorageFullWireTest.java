package io.pachyderm.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.StorageFullException;
import io.pachyderm.cluster.internal.StorageFullRefusal;
import java.util.concurrent.CompletionException;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.Test;

/**
 * A write refused for low disk space reaches the client typed: Ratis puts the refusal's class name
 * and message in its reply, and its client rebuilds that class as the cause of its own
 * {@link StateMachineException} (here through Ratis' own conversion), which the client maps to
 * {@link StorageFullException} by type, not by reading the message.
 */
class StorageFullWireTest {
  private static final String NODE_SAYS = "node n1: free space on /data/raft is 10 MiB, below the reserve of 256 MiB";

  @Test
  void ratisClientRebuildsTheRefusalAsTheCauseAndTheClientMapsItByType() {
    RaftGroupMemberId member = RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), RaftGroupId.randomId());

    StateMachineException onTheClient = ClientProtoUtils.toStateMachineException(member,
        StorageFullRefusal.class.getName(), NODE_SAYS, ProtoUtils.writeObject2ByteString(new StackTraceElement[0]));

    assertThat(onTheClient.getCause()).isInstanceOf(StorageFullRefusal.class).hasMessage(NODE_SAYS);
    StorageFullException e = StorageFullRefusal.storageFull(new CompletionException(onTheClient));
    assertThat(e).isNotNull().hasMessage(NODE_SAYS);
    assertThat(e.getCause()).isSameAs(onTheClient.getCause());
  }
}
