package io.pachyderm.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path dir;

  private static History sample() {
    HistoryBuilder h = new HistoryBuilder();
    Op w = h.write(1, "r1", 5);
    Op a = h.append(2, "l1", 7);
    h.ok(w);
    h.info(a);
    Op r = h.read(3, "r1");
    h.ok(r, 5L);
    Op lr = h.read(4, "l1");
    h.ok(lr, List.of(7L));
    h.read(5, "r1");
    h.finalRead("n2", "l1", List.of(7L));
    return h.build();
  }

  @Test
  void writeThenReadGivesTheSameHistory() {
    History history = sample();
    Path file = dir.resolve("history.jsonl");
    history.write(file);

    History read = History.read(file);

    assertThat(read).isEqualTo(history);
    assertThat(read.ops().get(3).value()).isEqualTo(7L);
    assertThat(read.ops().get(7).value()).isEqualTo(List.of(7L));
    assertThat(read.ops().get(8).value()).isNull();
  }

  @Test
  void jsonLinesUseTheRecordFieldNames() throws Exception {
    Path file = dir.resolve("history.jsonl");
    sample().write(file);
    String first = Files.readAllLines(file).get(0);
    assertThat(first).isEqualTo("{\"index\":0,\"process\":1,\"type\":\"INVOKE\",\"f\":\"write\","
        + "\"key\":\"r1\",\"value\":5,\"timeNs\":1000000,\"node\":null,\"error\":null}");
  }

  @Test
  void truncatedLastLineOfACrashedRunIsIgnored() throws Exception {
    Path file = dir.resolve("history.jsonl");
    History history = sample();
    history.write(file);
    Files.writeString(file, "{\"index\":99,\"proc", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);

    assertThat(History.read(file)).isEqualTo(history);
  }

  @Test
  void malformedLineInTheMiddleIsAnError() throws Exception {
    Path file = dir.resolve("history.jsonl");
    List<String> lines = new java.util.ArrayList<>(List.of(
        "{\"index\":0,\"process\":1,\"type\":\"INVOKE\",\"f\":\"write\",\"key\":\"r\","
            + "\"value\":1,\"timeNs\":0,\"node\":null,\"error\":null}",
        "garbage",
        "{\"index\":1,\"process\":1,\"type\":\"OK\",\"f\":\"write\",\"key\":\"r\","
            + "\"value\":1,\"timeNs\":0,\"node\":null,\"error\":null}"));
    Files.write(file, lines);

    assertThatThrownBy(() -> History.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(":2:");
  }

  @Test
  void pairsMatchCompletionsToInvocationsAndLeaveUnfinishedOnesOpen() {
    List<OpPair> pairs = sample().pairs();

    assertThat(pairs).hasSize(6);
    assertThat(pairs.get(0).outcome()).isEqualTo(OpType.OK);
    assertThat(pairs.get(1).outcome()).isEqualTo(OpType.INFO);
    assertThat(pairs.get(2).value()).isEqualTo(5L);
    assertThat(pairs.get(4).completion()).isNull();
    assertThat(pairs.get(4).outcome()).isEqualTo(OpType.INFO);
    assertThat(pairs.get(4).completeIndexOrMax()).isEqualTo(Long.MAX_VALUE);
    assertThat(pairs.get(5).completion().node()).isEqualTo("n2");
  }

  @Test
  void byKeySplitsPerEntityAndKeepsFinalReads() {
    Map<String, History> byKey = sample().byKey();

    assertThat(byKey.keySet()).containsExactly("l1", "r1");
    assertThat(byKey.get("l1").pairs()).extracting(OpPair::f)
        .containsExactly(Op.APPEND, Op.READ, Op.FINAL_READ);
    assertThat(byKey.get("r1").ops()).hasSize(5);
  }

  @Test
  void ofRejectsHistoriesThatAreNotWellFormed() {
    Op invoke = new Op(0, 1, OpType.INVOKE, Op.WRITE, "r", 1L, 0, null, null);
    Op okOtherKey = new Op(1, 1, OpType.OK, Op.WRITE, "s", 1L, 0, null, null);
    Op okOtherProcess = new Op(1, 2, OpType.OK, Op.WRITE, "r", 1L, 0, null, null);
    Op secondInvoke = new Op(1, 1, OpType.INVOKE, Op.READ, "r", null, 0, null, null);

    assertThatThrownBy(() -> History.of(List.of(invoke, okOtherKey)))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> History.of(List.of(invoke, okOtherProcess)))
        .hasMessageContaining("without invocation");
    assertThatThrownBy(() -> History.of(List.of(invoke, secondInvoke)))
        .hasMessageContaining("outstanding");
    assertThatThrownBy(() -> History.of(List.of(invoke, invoke)))
        .hasMessageContaining("strictly increase");
  }

  @Test
  void valuesAreNormalizedToLongs() {
    Op op = new Op(0, 1, OpType.OK, Op.READ, "l", List.of(1, 2), 0, null, null);
    assertThat(op.value()).isEqualTo(List.of(1L, 2L));
    assertThat(new Op(0, 1, OpType.INVOKE, Op.ADD, "c", 3, 0, null, null).value()).isEqualTo(3L);
    assertThatThrownBy(() -> new Op(0, 1, OpType.INVOKE, Op.WRITE, "r", "x", 0, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Op(0, 1, OpType.INVOKE, "cas", "r", 1L, 0, null, null))
        .hasMessageContaining("unknown f");
  }
}
