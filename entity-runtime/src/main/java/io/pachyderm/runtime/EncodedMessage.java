package io.pachyderm.runtime;

import io.pachyderm.codec.Encoded;

/** A message as it sits in a log record: the target and the command encoded by the target's codec. */
public record EncodedMessage(EntityKey to, Encoded command) {}
