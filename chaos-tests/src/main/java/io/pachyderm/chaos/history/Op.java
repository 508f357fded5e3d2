package io.pachyderm.chaos.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of a history: an invocation or a completion of a client operation.
 *
 * @param index position in the history, strictly increasing in recording order; because the
 *     recorder assigns indexes under one lock at the moment an event is observed, index order is
 *     consistent with real time and is what the checkers use as the clock
 * @param process the logical client that performed the operation; a process has at most one
 *     outstanding operation, and after an {@code INFO} completion the harness continues under a
 *     new process number (the old operation may still be in flight). Final reads use
 *     {@link #FINAL_READ_PROCESS}.
 * @param type invocation or kind of completion
 * @param f the function: one of {@link #WRITE}, {@link #READ}, {@link #ADD}, {@link #APPEND},
 *     {@link #TRANSFER}, {@link #FINAL_READ}
 * @param key the entity id the operation addressed (for example {@code "r3"})
 * @param value for write/add/append the argument (a {@code Long}, on the invocation and
 *     completion alike, except that a workload may record on an OK completion what the reply
 *     told, such as the version a reliable-effects add reached); for a transfer the list
 *     {@code [transferId, toAccount, amount]} with {@code toAccount} an index into the bank's
 *     accounts and {@code key} the account debited; for register and counter reads the value read
 *     (a {@code Long}, null on the invocation and on FAIL/INFO); for append-list reads the list
 *     read ({@code List<Long>}, unmodifiable); for a bank account's final read its ledger (see
 *     {@code BankChecker}). Integers are widened to {@code Long} on construction.
 * @param timeNs {@link System#nanoTime()} relative to the start of the run, in nanoseconds; used
 *     for the report only, never for judging
 * @param node for a final read, the id of the node that served it; otherwise null
 * @param error for FAIL and INFO, a message saying why; otherwise null
 */
public record Op(
    long index,
    int process,
    OpType type,
    String f,
    String key,
    Object value,
    long timeNs,
    String node,
    String error) {

  public static final String WRITE = "write";
  public static final String READ = "read";
  public static final String ADD = "add";
  public static final String APPEND = "append";
  public static final String TRANSFER = "transfer";
  public static final String FINAL_READ = "final-read";

  /** Every value {@link #f} may take. */
  public static final Set<String> FUNCTIONS = Set.of(WRITE, READ, ADD, APPEND, TRANSFER, FINAL_READ);

  /** The process number of final reads; their invocation and completion are adjacent. */
  public static final int FINAL_READ_PROCESS = -1;

  public Op {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0: " + index);
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    if (!FUNCTIONS.contains(f)) {
      throw new IllegalArgumentException("unknown f '" + f + "', expected one of " + FUNCTIONS);
    }
    value = normalizeValue(value);
  }

  public boolean isInvoke() {
    return type == OpType.INVOKE;
  }

  public boolean isOk() {
    return type == OpType.OK;
  }

  /** True for {@code read} and {@code final-read}. */
  public boolean isRead() {
    return READ.equals(f) || FINAL_READ.equals(f);
  }

  /** The value as a {@code Long}, or null; throws if it is a list. */
  public Long longValue() {
    if (value == null || value instanceof Long) {
      return (Long) value;
    }
    throw new IllegalStateException("op " + index + " has a list value, expected a number: " + this);
  }

  /** The value as a list of longs, or null; throws if it is a number. */
  @SuppressWarnings("unchecked")
  public List<Long> listValue() {
    if (value == null || value instanceof List) {
      return (List<Long>) value;
    }
    throw new IllegalStateException("op " + index + " has a number value, expected a list: " + this);
  }

  /** A short human-readable form for anomaly descriptions: {@code #12 p3 OK read r1 -> 5}. */
  public String brief() {
    StringBuilder sb = new StringBuilder();
    sb.append('#').append(index).append(" p").append(process).append(' ').append(type).append(' ');
    sb.append(f).append(' ').append(key);
    if (value != null) {
      sb.append(isRead() ? " -> " : " ").append(value);
    }
    if (node != null) {
      sb.append(" @").append(node);
    }
    if (error != null) {
      sb.append(" (").append(error).append(')');
    }
    return sb.toString();
  }

  /**
   * Widens integral numbers to {@code Long} and copies lists into unmodifiable {@code List<Long>},
   * so that checkers can compare values with {@code equals} whatever the caller passed.
   */
  static Object normalizeValue(Object value) {
    if (value == null || value instanceof Long) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof List<?> list) {
      List<Long> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        Object normalized = normalizeValue(element);
        if (!(normalized instanceof Long)) {
          throw new IllegalArgumentException("list elements must be integers: " + list);
        }
        copy.add((Long) normalized);
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException(
        "value must be an integer, a list of integers or null, not " + value.getClass().getName());
  }
}
