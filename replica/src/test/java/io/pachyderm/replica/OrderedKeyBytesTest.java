package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.runtime.EntityKey;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OrderedKeyBytesTest {
  /** Characters that break naive encodings: NUL, 0x01, a byte 0xFF, surrogates, chars above them. */
  private static final char[] ALPHABET = {'\u0000', '\u0001', 'a', 'b', '\u00ff', '\u0100', '\ud800', '\udc00',
      '\ue000', '\uffff'};

  /** An outbox-style key: an entity, then a sequence number (the disk outbox's message ids). */
  private record Keyed(EntityKey key, long seq) {}

  @Test
  void sortedByBytesIsSortedByEcosystemTypeAndIdForAGeneratedSet() {
    long seed = 24;
    SplittableRandom random = new SplittableRandom(seed);
    List<EntityKey> keys = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      keys.add(new EntityKey(string(random), string(random), string(random)));
    }
    List<EntityKey> byBytes = new ArrayList<>(keys);
    byBytes.sort(Comparator.comparing(OrderedKeyBytesTest::bytes, Arrays::compareUnsigned));
    List<EntityKey> byFields = new ArrayList<>(keys);
    byFields.sort(Comparator.comparing(EntityKey::ecosystem).thenComparing(EntityKey::type)
        .thenComparing(EntityKey::id));
    assertThat(byBytes).as("seed %d", seed).isEqualTo(byFields);
    for (EntityKey key : keys) {
      assertThat(OrderedKeyBytes.entityAt(bytes(key), 0)).as("seed %d", seed).isEqualTo(key);
    }
  }

  @Test
  void anEntityThenASequenceNumberSortsByEntityThenNumber() {
    long seed = 25;
    SplittableRandom random = new SplittableRandom(seed);
    List<Keyed> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      long seq = random.nextInt(4) == 0 ? random.nextLong() : random.nextLong(-3, 300);
      keys.add(new Keyed(new EntityKey(string(random), string(random), string(random)), seq));
    }
    List<Keyed> byBytes = new ArrayList<>(keys);
    byBytes.sort(Comparator.comparing(OrderedKeyBytesTest::bytes, Arrays::compareUnsigned));
    List<Keyed> byFields = new ArrayList<>(keys);
    byFields.sort(Comparator.comparing(Keyed::key).thenComparingLong(Keyed::seq));
    assertThat(byBytes).as("seed %d", seed).isEqualTo(byFields);
  }

  @Test
  void bytesThatAreNotOneWholeKeyAreRefusedNamingWhatIsWrong() {
    byte[] whole = bytes(new EntityKey("e", "t", "id"));
    assertThatThrownBy(() -> OrderedKeyBytes.entityAt(Arrays.copyOf(whole, 5), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends inside");
    byte[] longer = Arrays.copyOf(whole, whole.length + 1);
    assertThatThrownBy(() -> OrderedKeyBytes.entityAt(longer, 0)).hasMessageContaining("1 bytes after its id");
    byte[] badEscape = {0, 2, 0, 0, 0, 0, 0, 0};
    assertThatThrownBy(() -> OrderedKeyBytes.entityAt(badEscape, 0)).hasMessageContaining("bad escape");
  }

  private static byte[] bytes(EntityKey key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OrderedKeyBytes.entity(out, key);
    return out.toByteArray();
  }

  private static byte[] bytes(Keyed keyed) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OrderedKeyBytes.entity(out, keyed.key());
    OrderedKeyBytes.seq(out, keyed.seq());
    return out.toByteArray();
  }

  private static String string(SplittableRandom random) {
    char[] chars = new char[random.nextInt(4)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(chars);
  }
}
