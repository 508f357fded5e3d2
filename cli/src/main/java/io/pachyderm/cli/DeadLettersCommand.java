package io.pachyderm.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pachyderm.api.DeadLetter;
import io.pachyderm.api.Futures;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.protocol.DeadLetterList;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.Ref;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "dead-letters",
    description = {
        "At-least-once effects that failed their last allowed attempt, of every ecosystem: list them, redrive "
            + "them (back into the outbox with attempts reset; the handler sees the same idempotency key) or "
            + "discard them.",
        "A dead letter's ID is ECOSYSTEM/TYPE/ENTITY-ID#SEQ, as 'list' prints it."},
    subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.Redrive.class, DeadLettersCommand.Discard.class})
final class DeadLettersCommand implements Runnable {
  /** Rows a listing may ask for: enough to page through by hand, small enough for one reply. */
  static final int LIMIT_MAX = 10_000;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: list, redrive or discard");
  }

  @Command(name = "list",
      description = "Prints the dead letters in id order (linearizable read): id, handler, the source's version "
          + "after the command that produced the effect, failed attempts, when the leader gave up, last error. "
          + "--json adds the payloads.")
  static final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
        description = "Show at most N, 1.." + LIMIT_MAX + ". Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--json",
        description = "Print one JSON object instead of a table: total, and deadLetters with id, ecosystem, type, "
            + "entityId, seq, handler, payloadType, schemaVersion, payload, version, attempts, lastError, deadAt "
            + "each. A payload that is not JSON is a \"base64:...\" string.")
    boolean json;

    @Override
    public Integer call() {
      if (limit < 1 || limit > LIMIT_MAX) {
        throw new IllegalArgumentException("--limit must be 1.." + LIMIT_MAX + ", was " + limit);
      }
      DeadLetterList list;
      try (PachydermClient c = client.connect()) {
        list = Futures.join(c.encodedOperations().readDeadLetters(limit));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(toJson(list)));
      } else {
        printTable(out, list);
      }
      out.flush();
      return PachydermCli.EXIT_OK;
    }

    private static void printTable(PrintWriter out, DeadLetterList list) {
      if (list.getDeadLettersCount() == 0) {
        out.println("no dead letters");
        return;
      }
      Table table = new Table("ID", "HANDLER", "VERSION", "ATTEMPTS", "DEAD-AT", "LAST-ERROR");
      for (PendingEffect p : list.getDeadLettersList()) {
        table.row(id(p), p.getHandler(), Long.toString(p.getVersion()), Integer.toString(p.getAttempts()),
            Instant.ofEpochMilli(p.getDeadAtMs()).toString(), p.getLastError());
      }
      table.print(out);
      long shown = list.getDeadLettersCount();
      out.println(shown < list.getTotal()
          ? shown + " of " + list.getTotal() + " dead letters (--limit shows more)"
          : shown + (shown == 1 ? " dead letter" : " dead letters"));
    }

    static ObjectNode toJson(DeadLetterList list) {
      ObjectNode root = Json.object();
      root.put("total", list.getTotal());
      ArrayNode letters = root.putArray("deadLetters");
      for (PendingEffect p : list.getDeadLettersList()) {
        Ref source = p.getId().getSource();
        letters.addObject()
            .put("id", id(p))
            .put("ecosystem", source.getEcosystem())
            .put("type", source.getType())
            .put("entityId", source.getId())
            .put("seq", p.getId().getSeq())
            .put("handler", p.getHandler())
            .put("payloadType", p.getPayload().getType())
            .put("schemaVersion", p.getPayload().getSchemaVersion())
            .<ObjectNode>set("payload", Json.tree(p.getPayload()))
            .put("version", p.getVersion())
            .put("attempts", p.getAttempts())
            .put("lastError", p.getLastError())
            .put("deadAt", Instant.ofEpochMilli(p.getDeadAtMs()).toString());
      }
      return root;
    }

    private static String id(PendingEffect p) {
      Ref source = p.getId().getSource();
      return new DeadLetter.Id(source.getEcosystem(), EntityRef.of(source.getType(), source.getId()),
          p.getId().getSeq()).toString();
    }
  }

  /** Redrive and discard: one id in, done or not found out. */
  abstract static class Action implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID",
        description = "ECOSYSTEM/TYPE/ENTITY-ID#SEQ as 'dead-letters list' prints it. Quote it: ids may hold "
            + "'#' and spaces.")
    String id;

    /** Applies the action; false when there is no such dead letter. */
    abstract boolean apply(PachydermClient c, String id);

    /** Past participle for the success line: "redriven", "discarded". */
    abstract String done();

    @Override
    public Integer call() {
      // Parsed before connecting: a malformed id is bad input (64), not a cluster failure.
      String canonical = DeadLetter.parseId(id).toString();
      boolean applied;
      try (PachydermClient c = client.connect()) {
        applied = apply(c, canonical);
      }
      if (!applied) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": no dead letter " + canonical
            + " (never dead, or already redriven or discarded); nothing was changed");
        return PachydermCli.EXIT_NOT_FOUND;
      }
      spec.commandLine().getOut().println(done() + ": " + canonical);
      spec.commandLine().getOut().flush();
      return PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "redrive",
      description = "Puts the dead letter back into the outbox with its attempts reset; the leader dispatches it "
          + "again with the same idempotency key. Running it again is safe: it then finds nothing (exit 4).",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
          " 0:redriven",
          " 1:failure (no leader, I/O)",
          " 3:outcome unknown: no answer in time; run it again to find out (exit 4 = it was done)",
          " 4:no such dead letter (never dead, or already redriven or discarded); nothing was changed",
          "64:bad input (a malformed ID, options, peers)"})
  static final class Redrive extends Action {
    @Override
    boolean apply(PachydermClient c, String id) {
      return c.deadLetters().redrive(id);
    }

    @Override
    String done() {
      return "redriven";
    }
  }

  @Command(name = "discard",
      description = "Forgets the dead letter: its effect is never dispatched. Running it again is safe: it then "
          + "finds nothing (exit 4).",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
          " 0:discarded",
          " 1:failure (no leader, I/O)",
          " 3:outcome unknown: no answer in time; run it again to find out (exit 4 = it was done)",
          " 4:no such dead letter (never dead, or already redriven or discarded); nothing was changed",
          "64:bad input (a malformed ID, options, peers)"})
  static final class Discard extends Action {
    @Override
    boolean apply(PachydermClient c, String id) {
      return c.deadLetters().discard(id);
    }

    @Override
    String done() {
      return "discarded";
    }
  }
}
