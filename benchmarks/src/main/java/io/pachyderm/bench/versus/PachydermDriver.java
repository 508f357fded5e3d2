package io.pachyderm.bench.versus;

import io.pachyderm.api.Change;
import io.pachyderm.api.Entities;
import io.pachyderm.api.Follow;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.bank.Account;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

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
  private final AtomicLong transfers = new AtomicLong();
  /** A follower's poll waits this long for a change before it looks at its stop flag again. */
  private static final Duration FOLLOW_POLL = Duration.ofMillis(200);

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

  /** A linearizable query of the register's state (ReadMode.LINEARIZABLE, the default of query). */
  @Override
  public int read(int caller, int key) {
    entities.query(refs.get(key));
    return 0;
  }

  /**
   * The example bank's transfer of one cent from account "a-FROM" to "a-TO": acknowledged when
   * the debit commits; the credit is a message the payee applies afterwards. The transfer id is
   * unique per call (caller and a per-driver sequence), so no transfer is ever de-duplicated.
   */
  @Override
  public int transfer(int caller, int from, int to) {
    String id = "t-" + caller + "-" + transfers.incrementAndGet();
    entities.call(Account.TYPE.ref("a-" + from), new Account.Transfer(id, "a-" + to, 1));
    return 0;
  }

  @Override
  public long publish(int key) {
    return entities.call(refs.get(key), put).version();
  }

  /**
   * {@code Entities.follow} from the current state (skipped: only events count), polled by a
   * thread of its own as a consumer would.
   */
  @Override
  public AutoCloseable follow(int key, LongConsumer onEvent) {
    Follow<Register.State> follow = entities.follow(refs.get(key), Follow.FROM_CURRENT, false);
    AtomicBoolean stop = new AtomicBoolean();
    Thread poller = new Thread(() -> {
      try {
        while (!stop.get()) {
          Change<Register.State> c = follow.poll(FOLLOW_POLL);
          if (c != null && !c.isStartingState()) {
            onEvent.accept(c.version());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!stop.get()) {
          System.err.println("versus: a follower of e-" + key + " stopped: " + e);
        }
      }
    }, "versus-follower-" + key);
    poller.setDaemon(true);
    poller.start();
    return () -> {
      stop.set(true);
      poller.join(FOLLOW_POLL.toMillis() * 4);
      follow.close();
    };
  }

  @Override
  public void close() throws Exception {
    owner.close();
  }
}
