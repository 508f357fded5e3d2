package io.pachyderm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class EntityKeyTest {

  @Test
  void keysOrderByEcosystemThenTypeThenId() {
    List<EntityKey> expected = List.of(
        new EntityKey("a", "account", "alice"),
        new EntityKey("a", "account", "bob"),
        new EntityKey("a", "ledger", "alice"),
        new EntityKey("b", "account", "alice"),
        new EntityKey("b", "account", "zed"));
    List<EntityKey> shuffled = new ArrayList<>(expected);
    Collections.reverse(shuffled);
    Collections.swap(shuffled, 0, 2);

    Collections.sort(shuffled);

    assertThat(shuffled).containsExactlyElementsOf(expected);
  }

  @Test
  void theEcosystemOutranksTypeAndIdInTheOrder() {
    EntityKey early = new EntityKey("a", "zzz", "zzz");
    EntityKey late = new EntityKey("b", "aaa", "aaa");

    assertThat(early).isLessThan(late);
    assertThat(late.compareTo(early)).isPositive();
  }

  @Test
  void orderIsConsistentWithEquals() {
    EntityKey one = new EntityKey("eco", "account", "alice");
    EntityKey same = new EntityKey("eco", "account", "alice");

    assertThat(one.compareTo(same)).isZero();
    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(new TreeSet<>(List.of(one, same))).hasSize(1);
  }

  @Test
  void aKeyPrintsAsEcosystemColonTypeSlashId() {
    assertThat(new EntityKey("prod", "account", "alice")).hasToString("prod:account/alice");
  }

  @Test
  void nullPartsAreRefused() {
    assertThatThrownBy(() -> new EntityKey(null, "t", "i")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new EntityKey("e", null, "i")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new EntityKey("e", "t", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void ecosystemNamesOfLettersDigitsDotsUnderscoresAndDashesUpTo128CharactersAreValid() {
    for (String name : new String[] {"prod", "P", "7", "eu-west.1_blue", "x".repeat(128)}) {
      assertThat(EntityKey.requireValidEcosystem(name)).as(name).isEqualTo(name);
    }
  }

  @Test
  void invalidEcosystemNamesAreRefusedNamingTheNameAndTheRule() {
    for (String name : new String[] {"", "-prod", ".prod", "_prod", "pr od", "prod/eu", "prod:1", "x".repeat(129),
        "prød", " prod"}) {
      assertThatThrownBy(() -> EntityKey.requireValidEcosystem(name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + name + "'")
          .hasMessageContaining("1..128 characters");
    }
    assertThatThrownBy(() -> EntityKey.requireValidEcosystem(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'null'");
  }
}
