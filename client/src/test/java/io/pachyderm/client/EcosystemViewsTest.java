package io.pachyderm.client;

import io.pachyderm.cluster.Peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Entities;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The client's own ecosystem and every view {@code ecosystem(name)} returns run the same typed
 * operations: what fails before anything is sent fails the same way through each. No node is
 * needed (nothing here reaches the network).
 */
class EcosystemViewsTest {
  private static final Peer NOWHERE = new Peer("n1", "127.0.0.1:1");

  private static PachydermClient client() {
    return PachydermClient.builder(List.of(NOWHERE)).ecosystem("tenant-a").entityTypes(EntityTypes.of())
        .requestTimeout(Duration.ofSeconds(7)).build();
  }

  @Test
  void aViewNamesItsEcosystemAndSharesTheClientsTimeout() {
    try (PachydermClient client = client()) {
      Entities b = client.ecosystem("tenant-b");

      assertThat(client.ecosystem()).isEqualTo("tenant-a");
      assertThat(b.ecosystem()).isEqualTo("tenant-b");
      assertThat(b.requestTimeout()).isEqualTo(client.requestTimeout()).isEqualTo(Duration.ofSeconds(7));
      assertThat(b.ecosystem("tenant-c").ecosystem()).isEqualTo("tenant-c");
      assertThat(b.ecosystem("tenant-a").ecosystem()).isEqualTo(client.ecosystem());
    }
  }

  @Test
  void anInvalidEcosystemNameIsRefusedByTheClientAndByItsViews() {
    try (PachydermClient client = client()) {
      assertThatThrownBy(() -> client.ecosystem("no spaces")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> client.ecosystem("tenant-b").ecosystem("no spaces"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void anUnregisteredTypeAndABadVersionFailAlikeThroughTheClientAndAView() {
    EntityRef<Object, Object> ref = EntityRef.of("unregistered", "x");
    try (PachydermClient client = client()) {
      for (Entities entities : List.of(client, client.ecosystem("tenant-b"))) {
        assertRejected(entities.callAsync(ref, new Object()), RejectionKind.UNKNOWN_ENTITY_TYPE);
        assertRejected(entities.sendAsync(ref, new Object()), RejectionKind.UNKNOWN_ENTITY_TYPE);
        assertRejected(entities.queryAsync(ref, ReadMode.STALE), RejectionKind.UNKNOWN_ENTITY_TYPE);
        assertRejected(entities.historyAsync(ref, 1, 10, ReadMode.STALE), RejectionKind.UNKNOWN_ENTITY_TYPE);
        assertThatThrownBy(() -> entities.follow(ref, 1, false)).isInstanceOfSatisfying(
            CommandRejectedException.class, e -> assertThat(e.kind()).isEqualTo(RejectionKind.UNKNOWN_ENTITY_TYPE));
      }
    }
  }

  private static void assertRejected(CompletableFuture<?> future, RejectionKind kind) {
    assertThat(future).isCompletedExceptionally();
    assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining("'unregistered' is not registered with this client");
  }
}
