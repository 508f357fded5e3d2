package io.pachyderm.codec;

/**
 * Turns user values into {@link Encoded} and back. One codec serves one entity type, whose
 * classes it knows by their registered names. Implementations must be thread-safe and
 * deterministic: equal values encode to equal bytes.
 */
public interface Codec {

  /** @throws CodecException if the value's class is not registered or cannot be written */
  Encoded encode(Object value);

  /** @throws CodecException naming the type and version if the bytes cannot be read */
  Object decode(Encoded encoded);

  /**
   * Decodes a command, which may be read more strictly than data already stored (events, states):
   * a command is new input, so a typo in it should fail now rather than become a default value.
   * The default reads it like any other value.
   *
   * @throws CodecException naming the type, version and what is wrong
   */
  default Object decodeCommand(Encoded encoded) {
    return decode(encoded);
  }
}
