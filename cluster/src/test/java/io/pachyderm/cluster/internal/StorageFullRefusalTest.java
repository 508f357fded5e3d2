package io.pachyderm.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.StorageFullException;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.Test;

class StorageFullRefusalTest {
  private static final String NODE_SAYS = "node n1 refuses writes: /data/n1/raft has 1000 bytes free, below the "
      + "reserve of 268435456 bytes";

  @Test
  void asRatisCarriesItOverGrpcTheClassNameInTheMessageMakesTheCallersException() {
    // What Ratis' client rebuilds: its own exception, our class and message in the text, no cause.
    StateMachineException overTheWire = new StateMachineException(StorageFullRefusal.class.getName()
        + " from Server n1@group-ABC: " + NODE_SAYS);

    StorageFullException e = StorageFullRefusal.storageFull(new CompletionException(overTheWire));

    assertThat(e).isNotNull().hasMessage(NODE_SAYS);
  }

  @Test
  void theRefusalItselfAsACauseIsFoundToo() {
    StorageFullException e = StorageFullRefusal.storageFull(
        new CompletionException(new RuntimeException(new StorageFullRefusal(NODE_SAYS))));
    assertThat(e).isNotNull().hasMessage(NODE_SAYS);
  }

  @Test
  void otherStateMachineFailuresAreNotStorageFull() {
    assertThat(StorageFullRefusal.storageFull(new StateMachineException("leader n1 is not ready in term 3"))).isNull();
    assertThat(StorageFullRefusal.storageFull(new IllegalStateException(StorageFullRefusal.class.getName())))
        .as("only a node's StateMachineException carries it").isNull();
    assertThat(StorageFullRefusal.storageFull(null)).isNull();
  }
}
