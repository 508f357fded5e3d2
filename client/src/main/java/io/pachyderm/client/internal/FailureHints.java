package io.pachyderm.client.internal;

/** What a client adds to a failure message when the failure has a likely cause the caller can fix. */
public final class FailureHints {
  private FailureHints() {}

  /**
   * A hint for {@code failure}, starting with "; ", or "" when there is none. A node that serves
   * mutual TLS closes a plaintext client's connection during the handshake, which gRPC reports only
   * as "Network closed for unknown reason": retried until the timeout, that reads like a dead
   * cluster unless the message says what it may mean.
   */
  public static String of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("Network closed for unknown reason")) {
        return "; if the nodes serve mutual TLS, this is how they close a connection without a trusted client "
            + "certificate: give the client one (--tls-cert, --tls-key, --tls-ca; PachydermClient.Builder.tls)";
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return "";
  }
}
