package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.AccessDeniedException;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster without TLS and with a shared client token (issue 11, development): the
 * right token is served; a missing or wrong one fails at once with UNAUTHENTICATED, is counted and
 * writes nothing; the token itself reaches neither the Raft log nor the journal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenClusterTest {
  private static final String TOKEN = "dev-token-0123456789-abcdef";

  @TempDir
  static Path dir;

  private List<Peer> peers;
  private final List<PachydermNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    peers = List.of(new Peer("n1", "127.0.0.1:" + TestCluster.freePort()),
        new Peer("n2", "127.0.0.1:" + TestCluster.freePort()), new Peer("n3", "127.0.0.1:" + TestCluster.freePort()));
    for (Peer p : peers) {
      nodes.add(PachydermNode.builder(p.id(), peers, dir.resolve(p.id()))
          .entityTypes(TestCounter.TYPES)
          .electionTimeoutMin(Duration.ofMillis(400))
          .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, EffectContext ctx) -> { })
          .clientToken(TOKEN)
          .build().start());
    }
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    for (PachydermNode n : nodes) {
      n.close();
    }
  }

  @Test
  void theRightTokenIsServedAWrongOrMissingOneIsRefusedAndWritesNothing() {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("token-call");
    PachydermClient good = client(TOKEN);
    assertThat(good.call(ref, new TestCounter.Add(2)).version()).isEqualTo(1);
    assertThat(good.query(ref).state().count()).isEqualTo(2);
    assertThat(good.history(ref, 1)).extracting(HistoryEvent::version).containsExactly(1L);

    long before = badTokens();
    PachydermClient wrong = client("not-the-token-0123456789");
    assertThatThrownBy(() -> wrong.call(ref, new TestCounter.Add(100)))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("UNAUTHENTICATED")
        .hasMessageContaining("wrong token");
    assertThatThrownBy(() -> wrong.query(ref)).isInstanceOf(AccessDeniedException.class);
    PachydermClient none = client(null);
    assertThatThrownBy(() -> none.call(ref, new TestCounter.Add(100)))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("carries no token");
    assertThatThrownBy(() -> none.history(ref, 1)).isInstanceOf(AccessDeniedException.class);
    assertThat(badTokens()).isGreaterThanOrEqualTo(before + 4);

    assertThat(good.query(ref).version()).isEqualTo(1);
    assertThat(good.query(ref).state().count()).isEqualTo(2);
    assertThat(good.history(ref, 1)).extracting(HistoryEvent::version).containsExactly(1L);
    // Without TLS the token protects the client service only: status reads it too.
    assertThat(good.status()).hasSize(3);
  }

  @Test
  void theTokenReachesNeitherTheRaftLogNorTheJournal() throws Exception {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("token-log");
    PachydermClient good = client(TOKEN);
    for (int i = 1; i <= 5; i++) {
      assertThat(good.call(ref, new TestCounter.Add(i)).version()).isEqualTo(i);
    }
    byte[] token = TOKEN.getBytes(StandardCharsets.UTF_8);
    byte[] marker = "token-log".getBytes(StandardCharsets.UTF_8);
    boolean sawMarker = false;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes;
        try {
          bytes = Files.readAllBytes(file);
        } catch (java.io.IOException e) {
          continue; // a file being rolled over
        }
        assertThat(indexOf(bytes, token)).as("token in " + file).isNegative();
        sawMarker |= indexOf(bytes, marker) >= 0;
      }
    }
    // The search reads the files the entity's commands went to.
    assertThat(sawMarker).isTrue();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private PachydermClient client(String token) {
    PachydermClient.Builder b = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
        .requestTimeout(Duration.ofSeconds(30));
    if (token != null) {
      b.token(token);
    }
    PachydermClient client = b.build();
    closeables.add(client);
    return client;
  }

  private long badTokens() {
    long sum = 0;
    for (PachydermNode n : nodes) {
      sum += n.refusals().badToken();
    }
    return sum;
  }
}
