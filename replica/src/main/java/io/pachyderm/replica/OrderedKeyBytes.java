package io.pachyderm.replica;

import io.pachyderm.runtime.EntityKey;
import java.io.ByteArrayOutputStream;

/**
 * Key parts as bytes whose bytewise (unsigned) order is the order of the values: what lets a disk
 * table iterate in the order the heap's sorted maps do ({@link EntityKey}, then a sequence number
 * or a name), with no sort in the heap. The one codec of this order: the disk outbox's keys here
 * and the state store's entity keys ({@code statestore.EntityKeyBytes}, which puts a prefix byte
 * before {@link #entity}) both use it, so a store iterates entities in {@link EntityKey}'s order.
 *
 * <p>A string is its UTF-16 code units big-endian (the order {@link String#compareTo} uses), with a
 * content byte 0x00 written as 0x00 0x01 and 0x00 0x00 at its end: the terminator sorts below every
 * escaped byte, so a string sorts before its extensions, and the escape keeps the mapping one-to-one.
 * A sequence number is 8 bytes big-endian with the sign bit flipped, so negative numbers (never
 * written, but not excluded) sort first.
 *
 * <p>These bytes are stored (state store and outbox keys in checkpoints): changing them is a change
 * of the disk format. Stateless and thread-safe.
 */
public final class OrderedKeyBytes {
  private OrderedKeyBytes() {}

  /** Writes ecosystem, type and id, in that order (the order of {@link EntityKey#compareTo}). */
  public static void entity(ByteArrayOutputStream out, EntityKey key) {
    string(out, key.ecosystem());
    string(out, key.type());
    string(out, key.id());
  }

  public static void string(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      escaped(out, (c >>> 8) & 0xFF);
      escaped(out, c & 0xFF);
    }
    out.write(0);
    out.write(0);
  }

  public static void seq(ByteArrayOutputStream out, long seq) {
    long ordered = seq ^ Long.MIN_VALUE;
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (ordered >>> shift) & 0xFF);
    }
  }

  private static void escaped(ByteArrayOutputStream out, int b) {
    out.write(b);
    if (b == 0) {
      out.write(1);
    }
  }

  /**
   * The key {@link #entity} wrote into {@code bytes} from {@code offset} to the end.
   *
   * @throws IllegalArgumentException naming what is wrong when the bytes are not one whole entity key
   */
  public static EntityKey entityAt(byte[] bytes, int offset) {
    int[] at = {offset};
    String ecosystem = readString(bytes, at);
    String type = readString(bytes, at);
    String id = readString(bytes, at);
    if (at[0] != bytes.length) {
      throw new IllegalArgumentException("entity key has " + (bytes.length - at[0]) + " bytes after its id");
    }
    return new EntityKey(ecosystem, type, id);
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
