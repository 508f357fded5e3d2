package io.pachyderm.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.replica.OrderedKeyBytes;
import io.pachyderm.runtime.EntityKey;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EntityKeyBytesTest {
  /** Characters that break naive encodings: NUL, 0x01, a byte 0xFF, surrogates, chars above them. */
  private static final char[] ALPHABET = {'\u0000', '\u0001', 'a', 'b', '\u00ff', '\u0100', '\ud800', '\udc00',
      '\ue000', '\uffff'};

  @Test
  void bytewiseOrderIsEntityKeyOrderAndEveryKeyDecodesBack() {
    long seed = 14;
    SplittableRandom random = new SplittableRandom(seed);
    List<EntityKey> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      keys.add(new EntityKey(string(random), string(random), string(random)));
    }
    for (int i = 0; i < keys.size(); i++) {
      EntityKey a = keys.get(i);
      EntityKey b = keys.get((i * 7 + 3) % keys.size());
      byte[] ab = EntityKeyBytes.encode(a);
      byte[] bb = EntityKeyBytes.encode(b);
      assertThat(Integer.signum(Arrays.compareUnsigned(ab, bb))).as("seed %d: %s vs %s", seed, a, b)
          .isEqualTo(Integer.signum(a.compareTo(b)));
      assertThat(EntityKeyBytes.decode(ab)).isEqualTo(a);
    }
  }

  @Test
  void theStoresEntityKeysAreThePrefixThenTheReplicasOrderedKeyBytesSoTheStoreAndOutboxOrdersAgree() {
    long seed = 24;
    SplittableRandom random = new SplittableRandom(seed);
    List<EntityKey> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      keys.add(new EntityKey(string(random), string(random), string(random)));
    }
    for (EntityKey key : keys) {
      ByteArrayOutputStream replicas = new ByteArrayOutputStream();
      replicas.write(EntityKeyBytes.ENTITY_PREFIX);
      OrderedKeyBytes.entity(replicas, key);
      assertThat(EntityKeyBytes.encode(key)).as("seed %d: %s", seed, key).isEqualTo(replicas.toByteArray());
    }
    List<EntityKey> byStoreBytes = new ArrayList<>(keys);
    byStoreBytes.sort(Comparator.comparing(EntityKeyBytes::encode, Arrays::compareUnsigned));
    List<EntityKey> byFields = new ArrayList<>(keys);
    byFields.sort(Comparator.comparing(EntityKey::ecosystem).thenComparing(EntityKey::type)
        .thenComparing(EntityKey::id));
    assertThat(byStoreBytes).as("seed %d", seed).isEqualTo(byFields);
  }

  @Test
  void aStringSortsBeforeItsExtensions() {
    byte[] shorter = EntityKeyBytes.encode(new EntityKey("e", "t", "a"));
    byte[] longer = EntityKeyBytes.encode(new EntityKey("e", "t", "a\u0000"));
    byte[] otherType = EntityKeyBytes.encode(new EntityKey("e", "t\u0000", ""));
    assertThat(Arrays.compareUnsigned(shorter, longer)).isNegative();
    assertThat(Arrays.compareUnsigned(longer, otherType)).isNegative();
  }

  @Test
  void aKeyThatIsNotAnEntityKeySaysWhy() {
    assertThatThrownBy(() -> EntityKeyBytes.decode(new byte[] {'M', 'a'})).hasMessageContaining("not an entity key");
    byte[] cut = Arrays.copyOf(EntityKeyBytes.encode(new EntityKey("e", "t", "id")), 6);
    assertThatThrownBy(() -> EntityKeyBytes.decode(cut)).hasMessageContaining("ends inside");
  }

  private static String string(SplittableRandom random) {
    int length = random.nextInt(4);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return s.toString();
  }
}
