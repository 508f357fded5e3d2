package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.junit.jupiter.api.Test;

/** The query threads' limits: time per query, queue length; a blocked query is interrupted and its thread serves again. */
class QueryRunnerTest {
  private static final Message ANSWER = Message.valueOf("answer");

  @Test
  void aQueryOverItsTimeLimitFailsAsHandlerFailedAndIsInterrupted() throws Exception {
    try (QueryRunner runner = new QueryRunner("n1")) {
      CountDownLatch interrupted = new CountDownLatch(1);
      CompletableFuture<Message> slow = runner.run("query 'slow' of e", () -> {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          interrupted.countDown();
        }
        return ANSWER;
      });
      assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(ReadRefused.class, r -> assertThat(r.kind())
              .as("typed: the read reply carries the kind as data").isEqualTo(io.pachyderm.api.RejectionKind.HANDLER_FAILED))
          .hasMessageStartingWith("query 'slow' of e did not answer within " + QueryRunner.TIME_MS_MAX
              + " ms on node n1 and was interrupted");
      assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(runner.run("query 'quick' of e", () -> ANSWER).get(10, TimeUnit.SECONDS)).isSameAs(ANSWER);
    }
  }

  @Test
  void aFullQueueRefusesWithoutAKindSoThatTheClientTriesAgain() throws Exception {
    try (QueryRunner runner = new QueryRunner("n1")) {
      CountDownLatch gate = new CountDownLatch(1);
      List<CompletableFuture<Message>> held = new ArrayList<>();
      for (int i = 0; i < QueryRunner.THREADS + QueryRunner.QUEUED_MAX; i++) {
        held.add(runner.run("held", () -> {
          gate.await();
          return ANSWER;
        }));
      }
      CompletableFuture<Message> refused = runner.run("query 'one-too-many' of e", () -> ANSWER);
      assertThat(refused).isCompletedExceptionally();
      assertThatThrownBy(refused::get).cause()
          .isInstanceOf(StateMachineException.class)
          .hasMessageContaining("node n1 has " + QueryRunner.QUEUED_MAX + " queries waiting")
          .hasMessageNotContaining("HANDLER_FAILED")
          .hasMessageNotContaining("INVALID_REQUEST");
      gate.countDown();
      assertThat(held.get(0).get(10, TimeUnit.SECONDS)).isSameAs(ANSWER);
    }
  }

  @Test
  void aQueryThatThrowsFailsItsReadWithThatException() {
    try (QueryRunner runner = new QueryRunner("n1")) {
      CompletableFuture<Message> failed = runner.run("q", () -> {
        throw new StateMachineException("INVALID_REQUEST: no such query");
      });
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(StateMachineException.class).hasMessage("INVALID_REQUEST: no such query");
    }
  }
}
