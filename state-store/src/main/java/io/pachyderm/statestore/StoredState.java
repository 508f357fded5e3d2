package io.pachyderm.statestore;

import io.pachyderm.codec.Encoded;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An entity's value in RocksDB: format byte, version, digest item, then the state as its codec
 * encoded it (codec type name, schema version, bytes). The encoded bytes are kept, not a
 * re-encoding on read, so the digest item stays that of the bytes the replica applied.
 */
final class StoredState {
  static final byte FORMAT_1 = 1;

  /** The decoded fields of one value. */
  record Fields(long version, long digest, Encoded state) {}

  private StoredState() {}

  static byte[] encode(long version, long digest, Encoded state) {
    byte[] type = state.type().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 4 + 4 + type.length + state.data().length);
    b.put(FORMAT_1).putLong(version).putLong(digest).putInt(state.schemaVersion()).putInt(type.length).put(type)
        .put(state.data());
    return b.array();
  }

  /** @param where names the value in the error when it cannot be decoded */
  static Fields decode(byte[] value, Object where) {
    if (value.length < 25 || value[0] != FORMAT_1) {
      throw new IllegalStateException("the disk state store's value of " + where + " is not a stored state ("
          + value.length + " bytes, format " + (value.length == 0 ? "none" : value[0]) + "): the store is corrupt;"
          + " move <data>/state aside and restart to rebuild it from the snapshot and the Raft log");
    }
    ByteBuffer b = ByteBuffer.wrap(value);
    b.get();
    long version = b.getLong();
    long digest = b.getLong();
    int schemaVersion = b.getInt();
    int typeLength = b.getInt();
    if (typeLength < 0 || typeLength > b.remaining()) {
      throw new IllegalStateException("the disk state store's value of " + where + " has a codec type name of "
          + typeLength + " bytes in " + value.length + ": the store is corrupt");
    }
    byte[] type = new byte[typeLength];
    b.get(type);
    byte[] data = new byte[b.remaining()];
    b.get(data);
    return new Fields(version, digest, new Encoded(new String(type, StandardCharsets.UTF_8), schemaVersion, data));
  }
}
