package io.pachyderm.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Decision;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Envelope;
import io.pachyderm.examples.bank.Account.Credit;
import io.pachyderm.examples.bank.Account.Credited;
import io.pachyderm.examples.bank.Account.Debited;
import io.pachyderm.examples.bank.Account.Event;
import io.pachyderm.examples.bank.Account.State;
import io.pachyderm.examples.bank.Account.Transfer;
import io.pachyderm.examples.testkit.Codecs;
import io.pachyderm.examples.testkit.MessageLoop;
import io.pachyderm.examples.testkit.TestContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccountTest {
  private static final long OPENING = Account.OPENING_BALANCE_CENTS;

  private final Account account = new Account();
  private final State opened = account.initial("a1");

  @Test
  void everyAccountOpensWithTheSameBalance() {
    assertThat(account.initial("a1")).isEqualTo(new State(OPENING, 0, 0));
    assertThat(account.initial("another")).isEqualTo(new State(OPENING, 0, 0));
  }

  @Test
  void aTransferDebitsThePayerAndSendsTheCreditToThePayee() {
    Decision<Event> d = account.handle(new Transfer("t1", "a2", 30_00), opened, TestContext.client("a1"));

    assertThat(d.events()).containsExactly(new Debited("t1", "a2", 30_00));
    assertThat(d.messages()).containsExactly(new Envelope(Account.TYPE.ref("a2"), new Credit("t1", "a1", 30_00)));
    assertThat(account.apply(d.events().get(0), opened)).isEqualTo(new State(OPENING - 30_00, 1, 0));
  }

  @Test
  void theWholeBalanceCanBeTransferredButNotOneCentMore() {
    TestContext ctx = TestContext.client("a1");

    assertThat(account.handle(new Transfer("t1", "a2", OPENING), opened, ctx).isRejected()).isFalse();
    assertThat(account.handle(new Transfer("t2", "a2", OPENING + 1), opened, ctx).rejection())
        .isEqualTo("transfer t2: insufficient funds in a1 (balance 10000 cents, asked 10001)");
    State empty = new State(0, 1, 0);
    assertThat(account.handle(new Transfer("t3", "a2", 1), empty, ctx).rejection()).contains("insufficient funds");
  }

  @Test
  void transfersOfNothingOfNegativeAmountsToItselfOrWithoutIdsAreRejected() {
    TestContext ctx = TestContext.client("a1");

    assertThat(account.handle(new Transfer("t1", "a2", 0), opened, ctx).rejection())
        .isEqualTo("transfer t1: amount must be positive, was 0 cents");
    assertThat(account.handle(new Transfer("t1", "a2", -5), opened, ctx).rejection()).contains("must be positive");
    assertThat(account.handle(new Transfer("t1", "a1", 5), opened, ctx).rejection())
        .isEqualTo("transfer t1: account a1 cannot pay itself");
    assertThat(account.handle(new Transfer("", "a2", 5), opened, ctx).rejection()).contains("transfer id");
    assertThat(account.handle(new Transfer("x".repeat(Account.TRANSFER_ID_LENGTH_MAX + 1), "a2", 5), opened, ctx)
        .rejection()).contains("transfer id");
    assertThat(account.handle(new Transfer("t1", " ", 5), opened, ctx).rejection()).contains("payee");
  }

  @Test
  void aCreditSentByThePayingAccountIsCredited() {
    Decision<Event> d = account.handle(new Credit("t1", "a1", 30_00), opened,
        TestContext.client("a2").from(Account.TYPE_NAME, "a1"));

    assertThat(d.events()).containsExactly(new Credited("t1", "a1", 30_00));
    assertThat(d.messages()).isEmpty();
    assertThat(account.apply(d.events().get(0), opened)).isEqualTo(new State(OPENING + 30_00, 0, 1));
  }

  @Test
  void aCreditFromAClientFromAnotherAccountOrFromAnotherTypeIsRejected() {
    Credit credit = new Credit("t1", "a1", 30_00);
    TestContext ctx = TestContext.client("a2");

    assertThat(account.handle(credit, opened, ctx).rejection())
        .isEqualTo("credit t1 must be sent by account a1, came from a client or timer");
    assertThat(account.handle(credit, opened, ctx.from(Account.TYPE_NAME, "a3")).rejection())
        .isEqualTo("credit t1 must be sent by account a1, came from account/a3");
    assertThat(account.handle(credit, opened, ctx.from("counter", "a1")).isRejected()).isTrue();
    assertThat(account.handle(new Credit("t1", "a1", 0), opened, ctx.from(Account.TYPE_NAME, "a1")).rejection())
        .contains("must be positive");
  }

  @Test
  void randomTransfersAmongTenAccountsKeepTheTotalAndNoBalanceGoesNegative() {
    // Replay a failure with -Dexamples.seed=<the seed in its message>.
    long seed = Long.getLong("examples.seed", new SplittableRandom().nextLong());
    SplittableRandom random = new SplittableRandom(seed);
    MessageLoop loop = new MessageLoop(EntityTypes.of(Account.TYPE));
    int accounts = 10;
    long accepted = 0;
    for (int i = 0; i < 2_000; i++) {
      String from = "a" + random.nextInt(accounts);
      String to = "a" + random.nextInt(accounts);
      long amount = random.nextLong(-5_00, 60_00);
      if (!loop.command(Account.TYPE.ref(from), new Transfer("t" + i, to, amount)).isRejected()) {
        accepted++;
      }
      // Credits land in random batches: some transfers see money that is still in flight.
      loop.deliver(random.nextInt(3));
    }
    loop.deliver(Integer.MAX_VALUE);

    long total = 0;
    long debits = 0;
    long credits = 0;
    for (int i = 0; i < accounts; i++) {
      State s = loop.state(Account.TYPE.ref("a" + i));
      assertThat(s.balanceCents()).as("balance of a%d (seed %d)", i, seed).isNotNegative();
      total += s.balanceCents();
      debits += s.debits();
      credits += s.credits();
    }
    assertThat(total).as("total (seed %d)", seed).isEqualTo(accounts * OPENING);
    assertThat(debits).as("debits (seed %d)", seed).isEqualTo(accepted).isEqualTo(credits);
    assertThat(loop.rejections()).as("only client transfers may be rejected (seed %d)", seed)
        .allSatisfy(r -> assertThat(r.command()).isInstanceOf(Transfer.class));
  }

  @Test
  void stateCommandsAndEventsSurviveTheCodec() {
    Codecs.assertRoundTrips(Account.TYPE, opened, new State(0, 3, 4), new Transfer("t1", "a2", 5),
        new Credit("t1", "a1", 5), new Debited("t1", "a2", 5), new Credited("t1", "a1", 5));
  }
}
