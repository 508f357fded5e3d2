package io.pachyderm.bench.versus;

import io.pachyderm.api.Entities;
import io.pachyderm.entity.EntityRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Register.Put} through {@link Entities} (the cluster's {@code PachydermClient} or a
 * {@code LocalPachyderm}): one blocking call per update; the entity serialises its own updates,
 * so there is nothing to retry.
 */
final class PachydermDriver implements Driver {
  private final Entities entities;
  private final AutoCloseable owner;
  private final List<EntityRef<Register.State, Register.Command>> refs;
  private final Register.Put put;

  PachydermDriver(Entities entities, AutoCloseable owner, int entityCount, String payload) {
    this.entities = entities;
    this.owner = owner;
    this.refs = new ArrayList<>(entityCount);
    for (int i = 0; i < entityCount; i++) {
      refs.add(Register.TYPE.ref("e-" + i));
    }
    this.put = new Register.Put(payload);
  }

  @Override
  public int update(int caller, int key) {
    entities.call(refs.get(key), put);
    return 0;
  }

  @Override
  public CompletableFuture<Integer> updateAsync(int key) {
    return entities.callAsync(refs.get(key), put).thenApply(reply -> 0);
  }

  @Override
  public void close() throws Exception {
    owner.close();
  }
}
