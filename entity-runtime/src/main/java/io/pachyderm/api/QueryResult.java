package io.pachyderm.api;

/**
 * The answer to a named query ({@link io.pachyderm.entity.Query}): its result, null when the
 * query returned null, and the entity's version (number of events applied) in the state it ran on.
 */
public record QueryResult<R>(R result, long version) {}
