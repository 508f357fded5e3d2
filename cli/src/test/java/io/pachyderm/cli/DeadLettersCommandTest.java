package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.PachydermNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dead-letters list|redrive|discard} and the outbox columns of {@code status} against one
 * node in this JVM whose mail effect (at least once, two attempts) fails for chosen recipients.
 * Every test uses its own entity ids.
 */
class DeadLettersCommandTest {
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);
  private static final int ATTEMPTS_MAX = 2;
  private static final String SMTP = "smtp";

  record Outbox(long queued) {}

  sealed interface OutboxCommand permits Mail {}

  record Mail(String to) implements OutboxCommand {}

  sealed interface OutboxEvent permits Queued {}

  record Queued(String to) implements OutboxEvent {}

  /** The effect payload. */
  record Letter(String to) {}

  static final class MailOutbox implements Entity<Outbox, OutboxCommand, OutboxEvent> {
    @Override
    public Outbox initial(String id) {
      return new Outbox(0);
    }

    @Override
    public Decision<OutboxEvent> handle(OutboxCommand command, Outbox state, Context ctx) {
      Mail m = (Mail) command;
      return Decision.<OutboxEvent>emit(new Queued(m.to())).effectAtLeastOnce(SMTP, new Letter(m.to()));
    }

    @Override
    public Outbox apply(OutboxEvent event, Outbox state) {
      return new Outbox(state.queued() + 1);
    }
  }

  static final EntityType<Outbox, OutboxCommand, OutboxEvent> OUTBOX = EntityType.builder("outbox",
      new MailOutbox(), Outbox.class, OutboxCommand.class, OutboxEvent.class).types(Letter.class).build();

  @TempDir
  static Path dataDir;

  private static PachydermNode node;
  private static String peers;
  /** Recipients whose mail fails. */
  private static final Set<String> refused = ConcurrentHashMap.newKeySet();
  /** Recipients whose mail went out. */
  private static final List<String> delivered = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startNode() throws InterruptedException {
    peers = "n1=127.0.0.1:" + FreePorts.one();
    node = PachydermNode.builder("n1", Peer.parseList(peers), dataDir)
        .entityTypes(EntityTypes.of(OUTBOX))
        .effectRetry(new EffectRetry(ATTEMPTS_MAX, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(5)))
        .effectHandler(SMTP, (Letter l, EffectContext ctx) -> {
          if (refused.contains(l.to())) {
            throw new IllegalStateException("550 mailbox " + l.to() + " unavailable");
          }
          delivered.add(l.to());
        })
        .build()
        .start();
    awaitCondition("a ready leader", node::isReadyLeader);
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void listShowsTheDeadLetterAndRedriveSendsItAgainOnce() throws Exception {
    refused.add("ada");
    // The entity id holds '/' and '#': the id printed must still work as an argument.
    CliRun call = CliRun.of("call", "--peers", peers, "outbox", "o/1#x", "Mail", "{\"to\":\"ada\"}");
    assertThat(call.exitCode()).as(call.toString()).isZero();
    JsonNode letter = awaitDeadLetter("o/1#x");
    String id = letter.get("id").asText();

    assertThat(id).startsWith("default/outbox/o/1#x#");
    assertThat(letter.get("handler").asText()).isEqualTo(SMTP);
    assertThat(letter.get("attempts").asInt()).isEqualTo(ATTEMPTS_MAX);
    assertThat(letter.get("lastError").asText()).contains("550 mailbox ada unavailable");
    assertThat(letter.get("payloadType").asText()).isEqualTo("Letter");
    assertThat(letter.get("payload").get("to").asText()).isEqualTo("ada");

    CliRun table = CliRun.of("dead-letters", "list", "--peers", peers);
    assertThat(table.exitCode()).as(table.toString()).isZero();
    assertThat(table.outLines().get(0)).startsWith("ID").contains("HANDLER", "ATTEMPTS", "DEAD-AT", "LAST-ERROR");
    assertThat(table.outLines()).anySatisfy(l -> assertThat(l).startsWith(id + " ").contains(SMTP, "550 mailbox ada"));

    refused.remove("ada");
    CliRun redrive = CliRun.of("dead-letters", "redrive", "--peers", peers, id);
    assertThat(redrive.exitCode()).as(redrive.toString()).isZero();
    assertThat(redrive.outLines()).containsExactly("redriven: " + id);
    awaitCondition("the redriven mail delivered", () -> delivered.contains("ada"));

    CliRun again = CliRun.of("dead-letters", "redrive", "--peers", peers, id);
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(PachydermCli.EXIT_NOT_FOUND);
    assertThat(again.errLines()).containsExactly("pachyderm dead-letters redrive: no dead letter " + id
        + " (never dead, or already redriven or discarded); nothing was changed");
    assertThat(again.out()).isEmpty();
  }

  @Test
  void discardForgetsTheDeadLetter() throws Exception {
    refused.add("bob");
    CliRun.of("send", "--peers", peers, "outbox", "o-2", "Mail", "{\"to\":\"bob\"}");
    String id = awaitDeadLetter("o-2").get("id").asText();

    CliRun discard = CliRun.of("dead-letters", "discard", "--peers", peers, id);
    assertThat(discard.exitCode()).as(discard.toString()).isZero();
    assertThat(discard.outLines()).containsExactly("discarded: " + id);
    assertThat(ids(listJson())).doesNotContain(id);

    CliRun again = CliRun.of("dead-letters", "discard", "--peers", peers, id);
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(PachydermCli.EXIT_NOT_FOUND);
  }

  @Test
  void anIdNoDeadLetterHasIsNotFound() {
    CliRun run = CliRun.of("dead-letters", "redrive", "--peers", peers, "default/outbox/nobody#1");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_NOT_FOUND);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("no dead letter default/outbox/nobody#1");
  }

  @Test
  void statusShowsTheDeadLetterCount() throws Exception {
    refused.add("eve");
    CliRun.of("send", "--peers", peers, "outbox", "o-3", "Mail", "{\"to\":\"eve\"}");
    awaitDeadLetter("o-3");
    long total = listJson().get("total").asLong();

    CliRun status = CliRun.of("status", "--peers", peers);
    assertThat(status.exitCode()).as(status.toString()).isZero();
    List<String> header = List.of(status.outLines().get(0).split("\\s+"));
    assertThat(header).contains("PENDING-MSGS", "PENDING-EFFECTS", "DEAD-LETTERS", "TIMERS");
    String[] row = status.outLines().get(1).split("\\s+");
    assertThat(row[0]).isEqualTo("n1");
    assertThat(row[header.indexOf("DEAD-LETTERS")]).isEqualTo(Long.toString(total));
    assertThat(row[header.indexOf("TIMERS")]).isEqualTo("0");
  }

  private static JsonNode awaitDeadLetter(String entityId) throws InterruptedException {
    JsonNode[] found = new JsonNode[1];
    awaitCondition("a dead letter of outbox " + entityId, () -> {
      for (JsonNode letter : listJson().get("deadLetters")) {
        if (letter.get("entityId").asText().equals(entityId)) {
          found[0] = letter;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  private static JsonNode listJson() {
    CliRun run = CliRun.of("dead-letters", "list", "--json", "--peers", peers);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).as(run.toString()).hasSize(1);
    try {
      return JsonMapper.builder().build().readTree(run.out());
    } catch (java.io.IOException e) {
      throw new AssertionError("list --json printed no JSON: " + run, e);
    }
  }

  private static List<String> ids(JsonNode list) {
    List<String> ids = new java.util.ArrayList<>();
    list.get("deadLetters").forEach(l -> ids.add(l.get("id").asText()));
    return ids;
  }

  private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
    long deadlineNs = System.nanoTime() + WAIT_MAX.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadlineNs) {
        throw new AssertionError("never saw " + what);
      }
      Thread.sleep(50);
    }
  }
}
