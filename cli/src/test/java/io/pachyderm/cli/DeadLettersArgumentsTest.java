package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.ByteString;
import io.pachyderm.api.DeadLetter;
import io.pachyderm.protocol.DeadLetterList;
import io.pachyderm.protocol.EffectId;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.Ref;
import org.junit.jupiter.api.Test;

/** The dead-letters commands' parsing: bad input never reaches a cluster (one line, exit 64). */
class DeadLettersArgumentsTest {
  private static final String PEERS = "n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003";

  @Test
  void helpListsTheCommandAndTheNotFoundExitCode() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("dead-letters", " 4 ", "no such dead letter");
  }

  @Test
  void redriveHelpDocumentsTheIdFormatAndExitCodes() {
    CliRun run = CliRun.of("dead-letters", "redrive", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("ECOSYSTEM/TYPE/ENTITY-ID#SEQ", "Exit codes", "no such dead letter",
        "bad input (a malformed ID");
  }

  @Test
  void missingSubcommandIsBadInput() {
    assertBadInput(CliRun.of("dead-letters"), "missing subcommand: list, redrive or discard");
  }

  @Test
  void unknownSubcommandIsBadInput() {
    assertBadInput(CliRun.of("dead-letters", "replay", "--peers", PEERS, "default/counter/c1#1"), "replay");
  }

  @Test
  void redriveWithoutIdIsBadInput() {
    assertBadInput(CliRun.of("dead-letters", "redrive", "--peers", PEERS), "ID");
  }

  @Test
  void discardWithoutPeersIsBadInput() {
    assertBadInput(CliRun.of("dead-letters", "discard", "default/counter/c1#1"), "--peers");
  }

  @Test
  void redriveOfAnIdWithoutSeqIsBadInputNamingTheForm() {
    assertBadInput(CliRun.of("dead-letters", "redrive", "--peers", PEERS, "default/counter/c1"),
        "dead letter id 'default/counter/c1' is malformed: it is not of the form ecosystem/type/id#seq");
  }

  @Test
  void discardOfAnIdWithoutTypeIsBadInput() {
    assertBadInput(CliRun.of("dead-letters", "discard", "--peers", PEERS, "counter#3"),
        "not of the form ecosystem/type/id#seq");
  }

  @Test
  void redriveOfANonNumericSeqIsBadInputShowingIt() {
    assertBadInput(CliRun.of("dead-letters", "redrive", "--peers", PEERS, "default/counter/c1#x"),
        "must be decimal digits, was 'x'");
  }

  @Test
  void redriveOfAnInvalidEcosystemIsBadInputNamingIt() {
    assertBadInput(CliRun.of("dead-letters", "redrive", "--peers", PEERS, "a b/counter/c1#1"),
        "ecosystem name 'a b'");
  }

  @Test
  void badIdIsReportedBeforeAnyConnection() {
    // Nobody listens on these peers; a connection attempt would end in exit 3 after the timeout.
    String nobody = "n1=127.0.0.1:" + FreePorts.one();
    assertBadInput(CliRun.of("dead-letters", "discard", "--peers", nobody, "default/counter/"), "malformed");
  }

  @Test
  void limitOutsideItsRangeIsBadInput() {
    assertBadInput(CliRun.of("dead-letters", "list", "--peers", PEERS, "--limit", "0"), "--limit must be 1..");
    assertBadInput(CliRun.of("dead-letters", "list", "--peers", PEERS, "--limit",
        Integer.toString(DeadLettersCommand.LIMIT_MAX + 1)), "--limit must be 1..");
  }

  @Test
  void nonNumericLimitIsBadInput() {
    assertBadInput(CliRun.of("dead-letters", "list", "--peers", PEERS, "--limit", "ten"), "--limit");
  }

  @Test
  void listWithNobodyListeningIsAnUnknownOutcome() {
    String nobody = "n1=127.0.0.1:" + FreePorts.one();
    CliRun run = CliRun.of("dead-letters", "list", "--peers", nobody, "--timeout-ms", "1000");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_OUTCOME_UNKNOWN);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("outcome unknown", "dead letters");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void jsonListingCarriesEveryFieldAndTheIdRoundTrips() throws Exception {
    DeadLetterList list = DeadLetterList.newBuilder()
        .setTotal(7)
        .addDeadLetters(PendingEffect.newBuilder()
            .setId(EffectId.newBuilder().setSeq(12).setSource(
                Ref.newBuilder().setEcosystem("tenant-a").setType("order").setId("a/b#3")))
            .setHandler("mailer")
            .setPayload(Payload.newBuilder().setType("Notify").setSchemaVersion(2)
                .setData(ByteString.copyFromUtf8("{\"to\":\"ada\"}")))
            .setVersion(5).setAttempts(3).setLastError("smtp down").setDeadAtMs(1_700_000_000_123L))
        .addDeadLetters(PendingEffect.newBuilder()
            .setId(EffectId.newBuilder().setSeq(1).setSource(
                Ref.newBuilder().setEcosystem("default").setType("order").setId("o")))
            .setHandler("raw")
            .setPayload(Payload.newBuilder().setType("Blob").setSchemaVersion(1)
                .setData(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x00})))
            .setAttempts(1).setDeadAtMs(0))
        .build();

    JsonNode json = JsonMapper.builder().build().readTree(Json.write(DeadLettersCommand.ListCommand.toJson(list)));

    assertThat(json.get("total").asLong()).isEqualTo(7);
    JsonNode first = json.get("deadLetters").get(0);
    assertThat(first.get("id").asText()).isEqualTo("tenant-a/order/a/b#3#12");
    assertThat(DeadLetter.parseId(first.get("id").asText()).source().id()).isEqualTo("a/b#3");
    assertThat(first.get("ecosystem").asText()).isEqualTo("tenant-a");
    assertThat(first.get("type").asText()).isEqualTo("order");
    assertThat(first.get("entityId").asText()).isEqualTo("a/b#3");
    assertThat(first.get("seq").asLong()).isEqualTo(12);
    assertThat(first.get("handler").asText()).isEqualTo("mailer");
    assertThat(first.get("payloadType").asText()).isEqualTo("Notify");
    assertThat(first.get("schemaVersion").asInt()).isEqualTo(2);
    assertThat(first.get("payload").get("to").asText()).isEqualTo("ada");
    assertThat(first.get("version").asLong()).isEqualTo(5);
    assertThat(first.get("attempts").asInt()).isEqualTo(3);
    assertThat(first.get("lastError").asText()).isEqualTo("smtp down");
    assertThat(first.get("deadAt").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
    assertThat(json.get("deadLetters").get(1).get("payload").asText()).isEqualTo("base64:/wA=");
  }

  private static void assertBadInput(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).as(run.toString()).contains(expected).doesNotContain("\tat ", "Exception");
    assertThat(run.out()).as(run.toString()).isEmpty();
  }
}
