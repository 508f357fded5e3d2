package io.pachyderm.runtime;

import io.pachyderm.codec.Encoded;

/** An effect as it sits in a log record: handler name and encoded payload. */
public record EncodedEffect(String handler, Encoded payload) {}
