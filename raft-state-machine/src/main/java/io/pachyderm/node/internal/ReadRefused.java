package io.pachyderm.node.internal;

import io.pachyderm.api.RejectionKind;

/**
 * A read refused for what it asked (an unknown entity type, an invalid ref or range, an unknown
 * query or args that do not fit it, a query that threw or hung), which another attempt or node
 * would refuse the same way. Raised inside the node's read path only; {@link NodeReads#query}
 * turns it into the read reply's typed refusal ({@code ReadReply.refused}), so it never crosses the
 * wire as an exception. No stack trace: it is an answer, not a fault.
 */
final class ReadRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final RejectionKind kind;

  ReadRefused(RejectionKind kind, String detail) {
    super(detail, null, false, false);
    this.kind = kind;
  }

  RejectionKind kind() {
    return kind;
  }

  String detail() {
    return getMessage();
  }
}
