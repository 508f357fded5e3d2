package io.pachyderm.replica;

import io.pachyderm.runtime.EntityKey;
import java.io.ByteArrayOutputStream;

/**
 * Key parts as bytes whose bytewise (unsigned) order is the order of the values: what lets a disk
 * table iterate in the order the heap's sorted maps do ({@link EntityKey}, then a sequence number
 * or a name), with no sort in the heap. The same scheme as the state store's entity keys.
 *
 * <p>A string is its UTF-16 code units big-endian (the order {@link String#compareTo} uses), with a
 * content byte 0x00 written as 0x00 0x01 and 0x00 0x00 at its end: the terminator sorts below every
 * escaped byte, so a string sorts before its extensions. A sequence number is 8 bytes big-endian with
 * the sign bit flipped, so negative numbers (never written, but not excluded) sort first.
 */
final class OrderedKeyBytes {
  private OrderedKeyBytes() {}

  static void entity(ByteArrayOutputStream out, EntityKey key) {
    string(out, key.ecosystem());
    string(out, key.type());
    string(out, key.id());
  }

  static void string(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      escaped(out, (c >>> 8) & 0xFF);
      escaped(out, c & 0xFF);
    }
    out.write(0);
    out.write(0);
  }

  static void seq(ByteArrayOutputStream out, long seq) {
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
}
