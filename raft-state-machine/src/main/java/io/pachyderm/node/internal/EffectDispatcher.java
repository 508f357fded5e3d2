package io.pachyderm.node.internal;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.Effect;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.EntityKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs effect handlers off the apply path. The apply thread hands over committed effects of
 * entries this node appended as leader; each handler name runs on its own {@link EffectLanes lane}
 * (own threads, own bounded queue), so a hung handler delays only effects of its own name.
 * At most once: a full queue, a missing handler or a throwing handler loses that effect, loudly
 * in the log.
 */
final class EffectDispatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EffectDispatcher.class);

  private final String nodeId;
  private final EntityTypes types;
  private final Map<String, EffectHandler<?>> handlers;
  private final EffectLanes lanes;
  private final AtomicLong dispatched = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  EffectDispatcher(String nodeId, EntityTypes types, Map<String, EffectHandler<?>> handlers,
                   int threadsPerHandlerMax, int queuedPerHandlerMax) {
    this.nodeId = nodeId;
    this.types = types;
    this.handlers = Map.copyOf(handlers);
    this.lanes = new EffectLanes("pachyderm-effects-" + nodeId, this.handlers.keySet(), threadsPerHandlerMax,
        queuedPerHandlerMax);
  }

  boolean hasHandler(String name) {
    return handlers.containsKey(name);
  }

  /**
   * Called on the apply thread, after the entry is committed; never blocks. {@code seq} is the
   * effect's outbox sequence number, which makes its idempotency key unique for the entity.
   */
  void dispatch(EntityKey key, long version, long logIndex, long term, Effect effect, long seq) {
    {
      EffectContext ctx = new EffectContext(key.ecosystem(), EntityRef.of(key.type(), key.id()), version,
          logIndex, term, (int) Math.min(seq, Integer.MAX_VALUE), nodeId);
      lanes.submit(effect.getHandler(), () -> run(key, effect, ctx), 0).whenComplete((ok, error) -> {
        if (error instanceof EffectLanes.LaneFullException) {
          failed.incrementAndGet();
          LOG.error("effect {} dropped (at-most-once): {}", ctx.idempotencyKey(), error.getMessage());
        }
      });
    }
  }

  /** Runs the handler on the calling thread; throws what it throws. */
  @SuppressWarnings("unchecked")
  void invoke(EntityKey key, String handlerName, io.pachyderm.protocol.Payload payload, EffectContext ctx)
      throws Exception {
    EffectHandler<Object> handler = (EffectHandler<Object>) handlers.get(handlerName);
    EntityType<?, ?, ?> type = types.find(key.type());
    if (handler == null || type == null) {
      throw new IllegalStateException("no effect handler '" + handlerName + "' on node " + nodeId);
    }
    Encoded encoded = Protos.encoded(payload);
    handler.dispatch(type.codec().decode(encoded), ctx);
  }

  private void run(EntityKey key, Effect effect, EffectContext ctx) {
    try {
      invoke(key, effect.getHandler(), effect.getPayload(), ctx);
      dispatched.incrementAndGet();
    } catch (Exception | LinkageError e) {
      failed.incrementAndGet();
      LOG.warn("effect {} via handler '{}' failed (at-most-once, not retried): {}", ctx.idempotencyKey(),
          effect.getHandler(), e.toString());
    }
  }

  long dispatchedCount() {
    return dispatched.get();
  }

  long failedCount() {
    return failed.get();
  }

  @Override
  public void close() {
    lanes.closeWithin(5_000);
  }
}
