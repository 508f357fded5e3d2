package io.pachyderm.chaos.workload;

import java.util.List;
import java.util.Objects;

/**
 * An operation the generator chose, before it is invoked: function, key and argument. The
 * vocabulary is the history's ({@code Op.WRITE}, {@code Op.READ}, ...).
 *
 * @param value the argument as the history records it: a {@code Long} (write, add, append), a
 *     {@code List<Long>} (a transfer's {@code [transferId, toAccount, amount]}), or null (reads)
 */
public record OpSpec(String f, String key, Object value) {
  public OpSpec {
    Objects.requireNonNull(f, "f");
    if (value != null && !(value instanceof Long) && !(value instanceof List<?>)) {
      throw new IllegalArgumentException("value must be a Long, a List<Long> or null: " + value);
    }
  }

  /** The argument as a number; throws if it is not one. */
  public long number() {
    if (value instanceof Long n) {
      return n;
    }
    throw new IllegalStateException("op " + f + " " + key + " has no numeric argument: " + value);
  }

  /** The argument as a list of numbers; throws if it is not one. */
  @SuppressWarnings("unchecked")
  public List<Long> numbers() {
    if (value instanceof List<?>) {
      return (List<Long>) value;
    }
    throw new IllegalStateException("op " + f + " " + key + " has no list argument: " + value);
  }
}
