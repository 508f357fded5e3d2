package io.pachyderm.client.internal;

import io.pachyderm.protocol.RequestId;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/** A client's request ids: a random 128-bit client id and a sequence. Thread-safe. */
public final class RequestIds {
  private final long hi;
  private final long lo;
  private final AtomicLong sequence = new AtomicLong();

  public RequestIds() {
    SecureRandom random = new SecureRandom();
    this.hi = random.nextLong();
    this.lo = random.nextLong();
  }

  public RequestId next() {
    return RequestId.newBuilder().setClientHi(hi).setClientLo(lo).setSequence(sequence.incrementAndGet()).build();
  }
}
