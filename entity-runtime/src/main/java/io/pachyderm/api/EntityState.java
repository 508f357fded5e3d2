package io.pachyderm.api;

/** An entity's state and its version (number of events applied; 0 before the first). */
public record EntityState<S>(S state, long version) {}
