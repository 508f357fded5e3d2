package io.pachyderm.api;

/**
 * The answer to a call: the entity's version after the command (number of events ever applied to
 * it) and the reply value, which is the new state unless the handler chose another reply.
 */
public record Reply<S>(long version, Object value, boolean isState) {

  /** The new state. @throws IllegalStateException if the handler replied with something else */
  @SuppressWarnings("unchecked")
  public S state() {
    if (!isState) {
      throw new IllegalStateException("the handler replied with a "
          + (value == null ? "null" : value.getClass().getSimpleName()) + ", not the state; use value()");
    }
    return (S) value;
  }

  /** The reply value as {@code type}. @throws ClassCastException naming both types on mismatch */
  public <T> T value(Class<T> type) {
    if (!type.isInstance(value)) {
      throw new ClassCastException("reply is a " + (value == null ? "null" : value.getClass().getName())
          + ", not a " + type.getName());
    }
    return type.cast(value);
  }
}
