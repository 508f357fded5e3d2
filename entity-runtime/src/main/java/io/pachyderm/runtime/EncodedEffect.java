package io.pachyderm.runtime;

import io.pachyderm.codec.Encoded;

/** An effect as it sits in a log record: handler name, encoded payload and guarantee. */
public record EncodedEffect(String handler, Encoded payload, boolean atLeastOnce) {}
