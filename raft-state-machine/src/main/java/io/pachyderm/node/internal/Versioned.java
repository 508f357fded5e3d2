package io.pachyderm.node.internal;

/** An entity's applied (or speculative) state and version. Immutable. */
record Versioned(Object state, long version) {}
