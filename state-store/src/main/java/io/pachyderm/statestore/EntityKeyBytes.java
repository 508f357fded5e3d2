package io.pachyderm.statestore;

import io.pachyderm.runtime.EntityKey;
import java.io.ByteArrayOutputStream;

/**
 * An entity key as RocksDB key bytes whose bytewise order is {@link EntityKey}'s order, so that
 * iterating the store visits entities in the order a snapshot writes them, with no sort in the heap.
 *
 * <p>Layout: {@link #ENTITY_PREFIX}, then ecosystem, type and id, each as its UTF-16 code units
 * big-endian (the order {@link String#compareTo} uses), escaped and terminated: a content byte 0x00
 * becomes 0x00 0x01, and 0x00 0x00 ends the string. The terminator sorts below every escaped byte,
 * so a string sorts before its extensions; the escape keeps the mapping one-to-one.
 */
final class EntityKeyBytes {
  /** First byte of every entity key; metadata keys start with another byte. */
  static final byte ENTITY_PREFIX = 'E';

  private EntityKeyBytes() {}

  static byte[] encode(EntityKey key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 + 2 * (key.ecosystem().length() + key.type().length()
        + key.id().length()));
    out.write(ENTITY_PREFIX);
    string(out, key.ecosystem());
    string(out, key.type());
    string(out, key.id());
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
    int[] at = {1};
    String ecosystem = readString(bytes, at);
    String type = readString(bytes, at);
    String id = readString(bytes, at);
    if (at[0] != bytes.length) {
      throw new IllegalArgumentException("entity key has " + (bytes.length - at[0]) + " bytes after its id");
    }
    return new EntityKey(ecosystem, type, id);
  }

  private static void string(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      escaped(out, (c >>> 8) & 0xFF);
      escaped(out, c & 0xFF);
    }
    out.write(0);
    out.write(0);
  }

  private static void escaped(ByteArrayOutputStream out, int b) {
    out.write(b);
    if (b == 0) {
      out.write(1);
    }
  }

  private static String readString(byte[] bytes, int[] at) {
    StringBuilder s = new StringBuilder();
    int[] half = new int[2];
    int halves = 0;
    while (true) {
      if (at[0] >= bytes.length) {
        throw new IllegalArgumentException("entity key ends inside a string");
      }
      int b = bytes[at[0]++] & 0xFF;
      if (b == 0) {
        if (at[0] >= bytes.length) {
          throw new IllegalArgumentException("entity key ends inside an escape");
        }
        int next = bytes[at[0]++];
        if (next == 0) {
          if (halves != 0) {
            throw new IllegalArgumentException("entity key string ends in half a character");
          }
          return s.toString();
        }
        if (next != 1) {
          throw new IllegalArgumentException("entity key holds a bad escape 0x00 0x" + Integer.toHexString(next & 0xFF));
        }
      }
      half[halves++] = b;
      if (halves == 2) {
        s.append((char) ((half[0] << 8) | half[1]));
        halves = 0;
      }
    }
  }
}
