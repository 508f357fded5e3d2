package io.pachyderm.chaos.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.chaos.workload.ChaosTypes;
import io.pachyderm.chaos.workload.RegisterEntity;
import io.pachyderm.entity.EntityTypes;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NodeCodeTest {
  /** A user's provider: public, with a public no-argument constructor. */
  public static final class OnlyRegisters implements Supplier<EntityTypes> {
    @Override
    public EntityTypes get() {
      return EntityTypes.of(RegisterEntity.TYPE);
    }
  }

  static final class Hidden implements Supplier<EntityTypes> {
    @Override
    public EntityTypes get() {
      return ChaosTypes.ALL;
    }
  }

  @Test
  void aNodeLoadsTheProviderByNameAndTheLauncherPassesItsClasspath() {
    NodeCode code = NodeCode.of(OnlyRegisters.class);
    assertThat(code.load().names()).containsExactly(RegisterEntity.NAME);
    assertThat(NodeCode.load(OnlyRegisters.class.getName(), getClass().getClassLoader()).names())
        .containsExactly(RegisterEntity.NAME);
    assertThat(code.classpath()).isEqualTo(System.getProperty("java.class.path")).contains("test-classes");
    assertThat(NodeLauncher.javaCommand("/x/user.jar")).containsSubsequence("-cp", "/x/user.jar",
        ChaosNode.class.getName());
    assertThat(NodeCode.DEFAULT.load().names()).containsExactlyElementsOf(ChaosTypes.ALL.names());
  }

  @Test
  void aProviderThatCannotBeLoadedSaysWhy() {
    ClassLoader loader = getClass().getClassLoader();
    assertThatThrownBy(() -> NodeCode.load("com.example.Missing", loader))
        .hasMessage("entity types provider com.example.Missing is not on the classpath");
    assertThatThrownBy(() -> NodeCode.load(String.class.getName(), loader))
        .hasMessage("entity types provider java.lang.String does not implement Supplier<EntityTypes>");
    assertThatThrownBy(() -> NodeCode.load(Hidden.class.getName(), loader))
        .hasMessageContaining("needs to be a public class with a public no-argument constructor");
  }
}
