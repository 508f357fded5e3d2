package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.EntityTypesProvider;
import java.time.Instant;
import java.util.ServiceLoader;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RegisterTest {
  private static final Context CTX = new Context() {
    @Override public String id() { return "e-0"; }
    @Override public String ecosystem() { return "default"; }
    @Override public long version() { return 0; }
    @Override public Instant now() { return Instant.EPOCH; }
    @Override public RandomGenerator random() { return RandomGenerator.of("L64X128MixRandom"); }
  };

  @Test
  void each_update_depends_on_the_state_before_it() {
    Register register = new Register();
    Register.State s = register.initial("e-0");
    for (int i = 1; i <= 3; i++) {
      Decision<Register.Event> d = register.handle(new Register.Put("p" + i), s, CTX);
      assertThat(d.events()).containsExactly(new Register.Updated(i, "p" + i));
      s = register.apply(d.events().get(0), s);
    }
    assertThat(s).isEqualTo(new Register.State(3, "p3"));
  }

  @Test
  void a_payload_over_the_limit_is_rejected_before_it_is_replicated() {
    Decision<Register.Event> d = new Register().handle(new Register.Put("x".repeat(Register.PAYLOAD_CHARS_MAX + 1)),
        new Register.State(0, ""), CTX);
    assertThat(d.isRejected()).isTrue();
    assertThat(d.rejection()).contains("payload must be 0.." + Register.PAYLOAD_CHARS_MAX);
  }

  @Test
  void the_launcher_finds_the_register_through_the_providers_on_its_class_path() {
    // The node of `PachydermCli node` without --types serves what ServiceLoader finds: the
    // benchmark jar's META-INF/services entry is what makes versus.sh's nodes serve the register.
    boolean found = false;
    for (EntityTypesProvider p : ServiceLoader.load(EntityTypesProvider.class)) {
      found |= p instanceof VersusTypes && p.entityTypes().names().contains("versus-register");
    }
    assertThat(found).isTrue();
  }
}
