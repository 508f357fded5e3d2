package io.pachyderm.chaos.history;

import java.util.Objects;

/**
 * An invocation together with its completion, if one was recorded. A missing completion (the
 * run ended or crashed first) is treated like {@code INFO}: the outcome is unknown.
 *
 * @param invoke the {@code INVOKE} op
 * @param completion the matching {@code OK}/{@code FAIL}/{@code INFO} op, or null
 */
public record OpPair(Op invoke, Op completion) {

  public OpPair {
    Objects.requireNonNull(invoke, "invoke");
    if (!invoke.isInvoke()) {
      throw new IllegalArgumentException("not an invocation: " + invoke);
    }
    if (completion != null && !completion.type().isCompletion()) {
      throw new IllegalArgumentException("not a completion: " + completion);
    }
  }

  /** The completion's type, or {@code INFO} when there is no completion. */
  public OpType outcome() {
    return completion == null ? OpType.INFO : completion.type();
  }

  public String f() {
    return invoke.f();
  }

  public String key() {
    return invoke.key();
  }

  /**
   * The value the operation is about: for reads the completion's value (null unless OK), for
   * writes the argument of the invocation.
   */
  public Object value() {
    if (invoke.isRead()) {
      return completion == null ? null : completion.value();
    }
    return invoke.value();
  }

  /** The completion's index, or {@link Long#MAX_VALUE} when the outcome is unknown. */
  public long completeIndexOrMax() {
    if (completion == null || completion.type() == OpType.INFO) {
      return Long.MAX_VALUE;
    }
    return completion.index();
  }

  /** Latency in nanoseconds, or -1 when there is no completion. */
  public long latencyNs() {
    return completion == null ? -1 : completion.timeNs() - invoke.timeNs();
  }

  /**
   * A one-line form for anomaly descriptions, for example {@code p3 read r1 -> 5 [#12-#15 OK]},
   * {@code p4 write r1 2 [#13-#20 INFO timeout]} or {@code p5 write r1 3 [#21- pending]}.
   */
  public String brief() {
    StringBuilder sb = new StringBuilder();
    sb.append('p').append(invoke.process()).append(' ').append(invoke.f()).append(' ')
        .append(invoke.key());
    Object value = value();
    if (invoke.isRead()) {
      if (value != null) {
        sb.append(" -> ").append(value);
      }
    } else if (value != null) {
      sb.append(' ').append(value);
    }
    Op end = completion;
    if (end != null && end.node() != null) {
      sb.append(" @").append(end.node());
    }
    sb.append(" [#").append(invoke.index()).append('-');
    if (end == null) {
      return sb.append(" pending]").toString();
    }
    sb.append('#').append(end.index()).append(' ').append(end.type());
    if (end.error() != null) {
      sb.append(' ').append(end.error());
    }
    return sb.append(']').toString();
  }
}
