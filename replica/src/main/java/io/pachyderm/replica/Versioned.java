package io.pachyderm.replica;

/**
 * An entity's applied (or speculative) state and version. Immutable.
 *
 * @param digest the entity's item hash in the {@link ReplicaDigest} for an applied state; 0 for a
 *     speculative one, which is never part of the replicated state
 */
public record Versioned(Object state, long version, long digest) {
  public static Versioned speculative(Object state, long version) {
    return new Versioned(state, version, 0);
  }
}
