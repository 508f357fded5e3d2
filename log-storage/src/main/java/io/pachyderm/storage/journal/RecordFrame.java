package io.pachyderm.storage.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.protocol.JournalEntry;
import java.util.zip.CRC32C;

/**
 * The bytes of one journal excerpt (format in JOURNAL.md, "Framing"): a checked excerpt is the
 * protobuf field {@code JournalEntry.crc32c} (field 15, fixed32: tag byte {@code 0x7D}, then the
 * CRC32C of the rest, little-endian) followed by the serialized {@code JournalEntry}. Because the
 * prefix is itself a protobuf field, {@code JournalEntry.parseFrom} of the whole excerpt still
 * works for a reader that does not check. A legacy excerpt (written before checksums, format 1)
 * is the bare {@code JournalEntry}, whose first byte is the tag of field 1, 2 or 3, never
 * {@code 0x7D}: the first byte tells the two apart.
 *
 * <p>Decoding never throws on bad bytes: it returns a {@link Decoded} that names the problem, so
 * that the caller (which knows the file, the excerpt and whether it is the journal's last) decides
 * between a torn crash tail and corruption. Stateless; thread-safe.
 */
final class RecordFrame {
  /** Protobuf tag of {@code JournalEntry.crc32c}: field 15, wire type 5 (fixed32). */
  static final byte CHECKSUM_TAG = (15 << 3) | 5;
  /** The tag byte and the four checksum bytes in front of the entry. */
  static final int HEADER_BYTES = 5;

  private RecordFrame() {}

  /** What one excerpt's bytes hold. */
  sealed interface Decoded permits Valid, Bad {}

  /**
   * A well-formed excerpt.
   *
   * @param checked false for a legacy excerpt without checksum (read unchecked)
   */
  record Valid(JournalEntry entry, boolean checked) implements Decoded {}

  /**
   * An excerpt that fails its checksum or is not a JournalEntry.
   *
   * @param problem what is wrong, for the error message
   * @param claims what the bytes seem to hold when they still parse (untrusted), or null
   */
  record Bad(String problem, JournalEntry claims) implements Decoded {}

  /**
   * Writes the tag and the CRC32C of {@code buffer[HEADER_BYTES, HEADER_BYTES + entryBytes)} into
   * {@code buffer[0, HEADER_BYTES)}; returns the excerpt's length.
   */
  static int seal(byte[] buffer, int entryBytes) {
    int crc = crc32c(buffer, HEADER_BYTES, entryBytes);
    buffer[0] = CHECKSUM_TAG;
    buffer[1] = (byte) crc;
    buffer[2] = (byte) (crc >>> 8);
    buffer[3] = (byte) (crc >>> 16);
    buffer[4] = (byte) (crc >>> 24);
    return HEADER_BYTES + entryBytes;
  }

  /** A checked excerpt holding {@code entry} (markers: not on the per-event hot path). */
  static byte[] checkedExcerpt(JournalEntry entry) {
    byte[] out = new byte[HEADER_BYTES + entry.getSerializedSize()];
    byte[] body = entry.toByteArray();
    System.arraycopy(body, 0, out, HEADER_BYTES, body.length);
    seal(out, body.length);
    return out;
  }

  /** Decodes {@code bytes[0, length)}. */
  static Decoded decode(byte[] bytes, int length) {
    if (length == 0) {
      return new Bad("is empty (0 bytes), not a JournalEntry", null);
    }
    if (bytes[0] != CHECKSUM_TAG) {
      return decodeLegacy(bytes, length);
    }
    if (length < HEADER_BYTES) {
      return new Bad("is " + length + " bytes, shorter than its checksum", null);
    }
    int stored = (bytes[1] & 0xFF) | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF) << 16 | (bytes[4] & 0xFF) << 24;
    int computed = crc32c(bytes, HEADER_BYTES, length - HEADER_BYTES);
    JournalEntry entry;
    try {
      entry = JournalEntry.parser().parseFrom(bytes, HEADER_BYTES, length - HEADER_BYTES);
    } catch (InvalidProtocolBufferException e) {
      entry = null;
      if (stored == computed) {
        // The checksum holds, so these are the bytes the writer meant: a writer bug, not the disk.
        return new Bad("holds a valid checksum over bytes that are not a JournalEntry (" + length + " bytes): "
            + e.getMessage(), null);
      }
    }
    if (stored != computed) {
      return new Bad("fails its CRC32C check (stored 0x" + Integer.toHexString(stored) + ", computed 0x"
          + Integer.toHexString(computed) + ", " + length + " bytes)", entry);
    }
    return new Valid(entry, true);
  }

  private static Decoded decodeLegacy(byte[] bytes, int length) {
    JournalEntry entry;
    try {
      entry = JournalEntry.parser().parseFrom(bytes, 0, length);
    } catch (InvalidProtocolBufferException e) {
      return new Bad("is not a JournalEntry (" + length + " bytes, no checksum): " + e.getMessage(), null);
    }
    if (entry.getKindCase() == JournalEntry.KindCase.KIND_NOT_SET) {
      // Zeros (a page a full disk never wrote) parse as an empty message: that is no record.
      return new Bad("is not a JournalEntry (" + length + " bytes without a checksum or any known field)", null);
    }
    return new Valid(entry, false);
  }

  static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }
}
