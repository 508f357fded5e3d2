package io.pachyderm.statestore;

import io.pachyderm.replica.OrderedKeyBytes;
import io.pachyderm.runtime.EntityKey;
import java.io.ByteArrayOutputStream;

/**
 * An entity key as RocksDB key bytes whose bytewise order is {@link EntityKey}'s order, so that
 * iterating the store visits entities in the order a snapshot writes them, with no sort in the heap.
 *
 * <p>Layout: {@link #ENTITY_PREFIX}, then ecosystem, type and id as {@link OrderedKeyBytes#entity}
 * writes them (the replica's one codec of this order, which its disk outbox uses too).
 */
final class EntityKeyBytes {
  /** First byte of every entity key; metadata keys start with another byte. */
  static final byte ENTITY_PREFIX = 'E';

  private EntityKeyBytes() {}

  static byte[] encode(EntityKey key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 + 2 * (key.ecosystem().length() + key.type().length()
        + key.id().length()));
    out.write(ENTITY_PREFIX);
    OrderedKeyBytes.entity(out, key);
    return out.toByteArray();
  }

  /** Whether {@code bytes} is an entity key (not a metadata key). */
  static boolean isEntity(byte[] bytes) {
    return bytes.length > 0 && bytes[0] == ENTITY_PREFIX;
  }

  /** The key {@link #encode} made {@code bytes} from. */
  static EntityKey decode(byte[] bytes) {
    if (!isEntity(bytes)) {
      throw new IllegalArgumentException("not an entity key: first byte " + (bytes.length == 0 ? "missing" : bytes[0]));
    }
    return OrderedKeyBytes.entityAt(bytes, 1);
  }
}
