package io.pachyderm.client.internal;

import org.apache.ratis.client.retry.ClientRetryEvent;
import org.apache.ratis.retry.RetryPolicy;

/**
 * Ratis' retry policy with a witness: records each failed attempt in the calling thread's
 * {@link Delivery} (Ratis' blocking client calls the policy on the thread that sends), and stops
 * retrying once that delivery's deadline has passed, so a send ends soon after its command's
 * deadline and the client can tell "never sent" from "outcome unknown" for certain.
 */
public final class DeliveryRetryPolicy implements RetryPolicy {
  private final RetryPolicy delegate;

  private DeliveryRetryPolicy(RetryPolicy delegate) {
    this.delegate = delegate;
  }

  /** {@code delegate}, observed; without a current {@link Delivery} (reads) it decides alone. */
  public static RetryPolicy observing(RetryPolicy delegate) {
    return new DeliveryRetryPolicy(delegate);
  }

  @Override
  public Action handleAttemptFailure(Event event) {
    Delivery delivery = Delivery.current();
    if (delivery != null) {
      String peer = null;
      Throwable cause = event.getCause();
      if (event instanceof ClientRetryEvent retry) {
        peer = retry.getRequest().getServerId() == null ? null : retry.getRequest().getServerId().toString();
      }
      delivery.failed(peer, cause);
      if (delivery.pastDeadline()) {
        return NO_RETRY_ACTION;
      }
    }
    return delegate.handleAttemptFailure(event);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
