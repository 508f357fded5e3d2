package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.node.PachydermNode;
import org.junit.jupiter.api.Test;

/** NodeInternals takes the node as an Object (it may not import PachydermNode): it refuses anything else by name. */
class NodeInternalsTest {
  @Test
  void somethingThatIsNotANodeIsRefusedNamingBothClasses() throws Exception {
    // Initializing the node's class installs its accessor, as creating a node does.
    Class.forName(PachydermNode.class.getName(), true, PachydermNode.class.getClassLoader());

    assertThatThrownBy(() -> NodeInternals.raftServer("n1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a io.pachyderm.node.PachydermNode: java.lang.String");
  }

  @Test
  void aSecondAccessorIsRefused() throws Exception {
    Class.forName(PachydermNode.class.getName(), true, PachydermNode.class.getClassLoader());

    assertThatThrownBy(() -> NodeInternals.install(String.class, s -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("installed already, for io.pachyderm.node.PachydermNode");
  }
}
