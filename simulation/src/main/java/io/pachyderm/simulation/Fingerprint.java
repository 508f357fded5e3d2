package io.pachyderm.simulation;

import java.nio.charset.StandardCharsets;

/** A 128-bit digest of a world (two independent 64-bit hashes); equal worlds have equal fingerprints. */
public record Fingerprint(long high, long low) {
  @Override
  public String toString() {
    return String.format("%016x%016x", high, low);
  }

  /** Streams bytes into two differently seeded 64-bit mixes. Length-prefixed, so concatenations cannot collide. */
  static final class Hasher {
    private long a = 0x9E3779B97F4A7C15L;
    private long b = 0xC2B2AE3D27D4EB4FL;

    Hasher bytes(byte[] data) {
      number(data.length);
      for (byte x : data) {
        a = (a ^ (x & 0xff)) * 0x100000001B3L;
        b = Long.rotateLeft(b ^ (x & 0xff), 23) * 0x9FB21C651E98DF25L;
      }
      return this;
    }

    Hasher string(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Hasher number(long n) {
      a = mix(a ^ n);
      b = mix(b + n * 0xD6E8FEB86659FD93L);
      return this;
    }

    Fingerprint done() {
      return new Fingerprint(mix(a), mix(b ^ a));
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
      z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
      return z ^ (z >>> 33);
    }
  }
}
