package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Futures;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.Query;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.QueryReply;
import io.pachyderm.runtime.EntityKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named queries on a real three-node cluster (the local store: LocalStoreReadsTest in the local
 * module): only the result crosses the wire, every read mode reaches the node's query, and every expected failure is a clear rejection
 * of that read alone, answered at once rather than retried until the request timeout.
 */
class ClusterQueryTest {
  private static final int PAGE_CHARS = 100_000;
  private static final int PAGE_COUNT = 11;

  @TempDir
  Path dir;

  private final EntityRef<TestDocument.State, TestDocument.Command> doc = TestDocument.TYPE.ref("big");
  private final EntityKey docKey = new EntityKey("default", "test-document", "big");

  @Test
  void aMegabyteEntityAnswersASmallQueryWithAFewBytesOnEveryNodeAndReadMode() {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, b -> {})) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      fill(client);
      cluster.assertReplicasAgree();

      EntityRead fullState = Futures.join(client.encodedOperations().readEncoded(docKey, ReadMode.LINEARIZABLE));
      QueryReply pages = Futures.join(client.encodedOperations()
          .queryEncoded(docKey, "pages", null, ReadMode.LINEARIZABLE));
      assertThat(fullState.getSerializedSize()).as("the whole state on the wire").isGreaterThan(1_000_000);
      assertThat(pages.getSerializedSize()).as("the query's reply on the wire: " + pages).isLessThan(32);
      assertThat(pages.getVersion()).isEqualTo(PAGE_COUNT);
      assertThat(pages.getResult().getData().toString(StandardCharsets.UTF_8)).isEqualTo("11");

      assertThat(client.query(doc, TestDocument.PAGES)).isEqualTo(PAGE_COUNT);
      assertThat(client.query(doc, TestDocument.PAGE_LENGTH, new TestDocument.Page(3))).isEqualTo(PAGE_CHARS + 1);
      for (int i = 0; i < cluster.size(); i++) { // stale reads go to each node in turn
        QueryResult<Integer> stale = Futures.join(client.queryAsync(doc, TestDocument.PAGE_LENGTH,
            new TestDocument.Page(10), ReadMode.STALE));
        assertThat(stale).isEqualTo(new QueryResult<>(PAGE_CHARS + 2, PAGE_COUNT));
        QueryReply staleReply = Futures.join(client.encodedOperations()
            .queryEncoded(docKey, "pages", null, ReadMode.STALE));
        assertThat(staleReply.getSerializedSize()).isLessThan(32);
      }
    }
  }

  @Test
  void aNeverTouchedEntityIsQueriedInItsInitialStateAndNullResultsTravelAsNull() {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, b -> {})) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      EntityRef<TestDocument.State, TestDocument.Command> fresh = TestDocument.TYPE.ref("fresh");
      assertThat(Futures.join(client.queryAsync(fresh, TestDocument.FIRST_PAGE, null, ReadMode.LINEARIZABLE)))
          .isEqualTo(new QueryResult<String>(null, 0));
      assertThat(Futures.join(client.queryAsync(fresh, TestDocument.PAGES, null, ReadMode.STALE)))
          .isEqualTo(new QueryResult<>(0, 0));
      client.send(fresh, new TestDocument.Append("once"));
      assertThat(client.query(fresh, TestDocument.FIRST_PAGE)).isEqualTo("once");
      assertThat(client.ecosystem("elsewhere").query(fresh, TestDocument.PAGES)).as("another ecosystem").isZero();
    }
  }

  @Test
  void expectedFailuresAreClearRejectionsOfThatReadAndTheNodesKeepServing() {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, b -> {})) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      client.send(doc, new TestDocument.Append("only page"));

      assertThatThrownBy(() -> Futures.join(client.encodedOperations().queryEncoded(docKey, "no-such-query", null,
          ReadMode.LINEARIZABLE)))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST))
          .hasMessageContaining("entity type 'test-document' has no query 'no-such-query'")
          .hasMessageContaining("[first-page, page-length, pages, pages-after-gate]");

      Query<TestDocument.State, Void, Integer> unregistered = Query.of("pages", Integer.class, s -> 0);
      assertThatThrownBy(() -> client.query(doc, unregistered))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST))
          .hasMessageContaining("another query named 'pages'");

      for (int i = 0; i < cluster.size(); i++) {
        assertThatThrownBy(() -> Futures.join(client.queryAsync(doc, TestDocument.PAGE_LENGTH,
            new TestDocument.Page(5), ReadMode.STALE)))
            .isInstanceOfSatisfying(CommandRejectedException.class,
                e -> assertThat(e.kind()).isEqualTo(RejectionKind.HANDLER_FAILED))
            .hasMessageContaining("query 'page-length' of entity type 'test-document' threw on default:test-document/big")
            .hasMessageContaining("IndexOutOfBoundsException");
        assertThat(Futures.join(client.queryAsync(doc, TestDocument.PAGES, null, ReadMode.STALE)).result())
            .as("the node that ran the throwing query still serves").isEqualTo(1);
      }

      @SuppressWarnings({"unchecked", "rawtypes"})
      Query<TestDocument.State, Object, Integer> mistyped = (Query) TestDocument.PAGE_LENGTH;
      assertThatThrownBy(() -> client.query(doc, mistyped, "three"))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST))
          .hasMessageContaining("takes args of class " + TestDocument.Page.class.getName() + ", not java.lang.String");
      Payload appendAsArgs = Protos.payload(TestDocument.TYPE.codec().encode(new TestDocument.Append("x")));
      assertThatThrownBy(() -> Futures.join(client.encodedOperations().queryEncoded(docKey, "page-length", appendAsArgs,
          ReadMode.LINEARIZABLE)))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST))
          .hasMessageContaining("query 'page-length' of entity type 'test-document' takes args of class Page, not Append");
      assertThatThrownBy(() -> Futures.join(client.encodedOperations()
          .queryEncoded(docKey, "page-length", null, ReadMode.LINEARIZABLE)))
          .isInstanceOf(CommandRejectedException.class)
          .hasMessageContaining("takes args of class Page; none were given");
      assertThatThrownBy(() -> Futures.join(client.encodedOperations()
          .queryEncoded(docKey, "pages", appendAsArgs, ReadMode.LINEARIZABLE)))
          .isInstanceOf(CommandRejectedException.class)
          .hasMessageContaining("query 'pages' of entity type 'test-document' takes no args");

      assertThat(client.query(doc, TestDocument.PAGE_LENGTH, new TestDocument.Page(0))).isEqualTo(9);
    }
  }

  @Test
  void aQueryThatBlocksFailsAtItsTimeLimitAndHoldsUpNeitherWritesNorOtherReads() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, b -> {})) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      client.send(doc, new TestDocument.Append("one"));
      TestDocument.gate = new CountDownLatch(1);
      try {
        CompletableFuture<QueryResult<Integer>> blocked = client.queryAsync(doc, TestDocument.PAGES_AFTER_GATE, null,
            ReadMode.LINEARIZABLE);
        PachydermClient other = cluster.client();
        assertThat(other.call(doc, new TestDocument.Append("two")).version()).isEqualTo(2);
        assertThat(other.send(doc, new TestDocument.Append("three"))).isEqualTo(3);
        assertThat(other.query(doc, TestDocument.PAGES)).as("another query while one blocks").isEqualTo(3);
        cluster.assertReplicasAgree();

        assertThatThrownBy(() -> blocked.get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(CommandRejectedException.class)
            .cause()
            .satisfies(e -> assertThat(((CommandRejectedException) e).kind()).isEqualTo(RejectionKind.HANDLER_FAILED))
            .hasMessageContaining("query 'pages-after-gate' of default:test-document/big did not answer within "
                + "2000 ms")
            .hasMessageContaining("interrupted");
      } finally {
        TestDocument.gate.countDown();
      }
      assertThat(client.query(doc, TestDocument.PAGES_AFTER_GATE)).as("the interrupted query thread serves again")
          .isEqualTo(3);
    }
  }

  /** Eleven pages of 100,000+ characters: a state of over a megabyte, written page by page. */
  private void fill(PachydermClient client) {
    for (int i = 0; i < PAGE_COUNT; i++) {
      client.send(doc, new TestDocument.Append("x".repeat(PAGE_CHARS) + i));
    }
  }
}
