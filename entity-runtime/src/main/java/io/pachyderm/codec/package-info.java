/**
 * Payload encoding for user values (commands, events, state, replies, effects). A value travels
 * as an {@link io.pachyderm.codec.Encoded}: a stable registered type name, a schema version and
 * bytes. The default {@link io.pachyderm.codec.JsonCodec} writes JSON and upcasts old versions.
 */
package io.pachyderm.codec;
