package io.pachyderm.examples;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Entities;
import io.pachyderm.api.Reply;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.examples.pingpong.Player;
import io.pachyderm.examples.profile.Profile;
import io.pachyderm.local.LocalPachyderm;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The README demo on the embedded (local) ecosystem: a counter that remembers across runs and
 * mails the admins when it reaches 10, a state-replacing profile, a ping-pong rally between two
 * entities, and a bank transfer whose credit travels as a message.
 */
public final class Demo {
  static final long RALLY_ROUNDS = 3;
  static final long TRANSFER_CENTS = 25_00;
  /** How long the demo waits for messages to land before saying they are still in flight. */
  private static final Duration LANDING_WAIT_MAX = Duration.ofSeconds(10);

  private Demo() {}

  public static void main(String[] args) {
    run(Path.of(args.length > 0 ? args[0] : "data/demo"), System.out);
  }

  /** Runs the demo on the store in {@code dataDir}, printing to {@code out}. */
  public static void run(Path dataDir, PrintStream out) {
    try (LocalPachyderm local = LocalPachyderm.builder(dataDir)
        .entityTypes(ExampleTypes.all())
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) ->
            out.printf("  [admin-mailer] counter %s reached %d (effect %s, dispatched by %s)%n",
                t.counter(), t.count(), ctx.idempotencyKey(), ctx.nodeId()))
        .open()) {
      out.printf("Pachyderm demo (local ecosystem in %s)%n", dataDir.toAbsolutePath());
      counterAndProfile(local, out);
      pingPong(local, out);
      transfer(local, out);
      out.println("Run the demo again: the counter remembers (an elephant never forgets).");
    }
  }

  private static void counterAndProfile(Entities local, PrintStream out) {
    EntityRef<Counter.State, Counter.Command> counter = Counter.TYPE.ref("my-counter");
    out.printf("my-counter starts at %d%n", local.query(counter).state().count());
    for (int i = 0; i < 3; i++) {
      Reply<Counter.State> r = local.call(counter, new Counter.Increment(1));
      out.printf("call Increment(1) -> count=%d version=%d%n", r.state().count(), r.version());
    }
    try {
      local.call(counter, new Counter.Increment(-5));
    } catch (CommandRejectedException e) {
      out.printf("call Increment(-5) -> rejected: %s%n", e.getMessage());
    }
    EntityRef<Profile.State, Profile.Command> profile = Profile.TYPE.ref("ada");
    Reply<Profile.State> p = local.call(profile, new Profile.Update("Ada Lovelace", "ada@example.org"));
    out.printf("profile ada -> %s (version %d)%n", p.state(), p.version());
    out.printf("query my-counter -> %d%n", local.query(counter, Counter.State::count));
  }

  /** alice serves bob; the pings and pongs are messages between the two entities. */
  private static void pingPong(Entities local, PrintStream out) {
    EntityRef<Player.State, Player.Command> alice = Player.TYPE.ref("alice");
    EntityRef<Player.State, Player.Command> bob = Player.TYPE.ref("bob");
    out.printf("ping-pong: call alice Serve(bob, %d)%n", RALLY_ROUNDS);
    try {
      local.call(alice, new Player.Serve("bob", RALLY_ROUNDS));
    } catch (CommandRejectedException e) {
      out.printf("  rejected: %s%n", e.getMessage());
    }
    boolean landed = awaitTrue(() -> !local.query(alice).state().rallyInProgress());
    Player.State a = local.query(alice).state();
    Player.State b = local.query(bob).state();
    out.printf("  %s: alice got pong %d of %d; pings to bob so far %d, pongs to alice so far %d%n",
        landed ? "rally over" : "still in flight after " + LANDING_WAIT_MAX.toSeconds() + " s",
        a.lastPong(), a.rounds(), b.pingsReceived(), a.pongsReceived());
  }

  /** The richer of alice and bob pays the other: the debit commits, the credit follows as a message. */
  private static void transfer(Entities local, PrintStream out) {
    EntityRef<Account.State, Account.Command> aliceAccount = Account.TYPE.ref("alice");
    EntityRef<Account.State, Account.Command> bobAccount = Account.TYPE.ref("bob");
    Account.State a = local.query(aliceAccount).state();
    Account.State b = local.query(bobAccount).state();
    boolean alicePays = a.balanceCents() >= b.balanceCents();
    EntityRef<Account.State, Account.Command> payer = alicePays ? aliceAccount : bobAccount;
    EntityRef<Account.State, Account.Command> payee = alicePays ? bobAccount : aliceAccount;
    long creditsBefore = (alicePays ? b : a).credits();
    String transferId = "demo-" + (a.debits() + b.debits() + 1);
    out.printf("bank: alice %s, bob %s; call %s Transfer(%s, %s, %s)%n", money(a.balanceCents()),
        money(b.balanceCents()), payer.id(), transferId, payee.id(), money(TRANSFER_CENTS));
    try {
      Reply<Account.State> r = local.call(payer, new Account.Transfer(transferId, payee.id(), TRANSFER_CENTS));
      out.printf("  debited: %s now has %s%n", payer.id(), money(r.state().balanceCents()));
    } catch (CommandRejectedException e) {
      out.printf("  rejected: %s%n", e.getMessage());
      return;
    }
    boolean landed = awaitTrue(() -> local.query(payee).state().credits() > creditsBefore);
    out.printf("  %s: alice %s, bob %s%n",
        landed ? "credit landed" : "credit still in flight after " + LANDING_WAIT_MAX.toSeconds() + " s",
        money(local.query(aliceAccount).state().balanceCents()), money(local.query(bobAccount).state().balanceCents()));
    if (landed) {
      // The event journal keeps every event with what caused it: the credit came as a message.
      long version = local.query(payee).version();
      java.util.List<io.pachyderm.api.HistoryEvent> last = local.history(payee, version);
      if (!last.isEmpty()) {
        out.printf("  %s's history: event v%d, %s %s, was caused by %s%n", payee.id(), version,
            last.get(0).eventType(), last.get(0).timestamp(), cause(last.get(0).causation()));
      }
    }
  }

  private static String cause(io.pachyderm.api.Causation causation) {
    if (causation instanceof io.pachyderm.api.Causation.Message m) {
      return "message #" + m.seq() + " from " + m.source();
    }
    if (causation instanceof io.pachyderm.api.Causation.Timer t) {
      return "timer '" + t.name() + "' of " + t.owner();
    }
    return "client request " + ((io.pachyderm.api.Causation.Request) causation).requestId();
  }

  private static String money(long cents) {
    return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
  }

  /** Polls {@code condition} every 20 ms until it holds (true) or {@link #LANDING_WAIT_MAX} passes (false). */
  private static boolean awaitTrue(BooleanSupplier condition) {
    long deadlineNs = System.nanoTime() + LANDING_WAIT_MAX.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadlineNs > 0) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
