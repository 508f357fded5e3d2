package io.pachyderm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Codec;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.runtime.BankAccount.Account;
import io.pachyderm.runtime.BankAccount.BalanceIs;
import io.pachyderm.runtime.BankAccount.Deposit;
import io.pachyderm.runtime.BankAccount.DepositInParts;
import io.pachyderm.runtime.BankAccount.Deposited;
import io.pachyderm.runtime.BankAccount.EmitUnlisted;
import io.pachyderm.runtime.BankAccount.Explode;
import io.pachyderm.runtime.BankAccount.GetBalance;
import io.pachyderm.runtime.BankAccount.LargeDeposit;
import io.pachyderm.runtime.BankAccount.Poison;
import io.pachyderm.runtime.BankAccount.ReplyUnregistered;
import io.pachyderm.runtime.BankAccount.ReturnNull;
import io.pachyderm.runtime.BankAccount.Stamp;
import io.pachyderm.runtime.BankAccount.Stamped;
import io.pachyderm.runtime.BankAccount.Unlisted;
import io.pachyderm.runtime.BankAccount.Withdraw;
import io.pachyderm.runtime.BankAccount.Withdrawn;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class CommandExecutorTest {
  private static final EntityKey ALICE = new EntityKey("test-eco", BankAccount.NAME, "alice");
  private static final Codec CODEC = BankAccount.TYPE.codec();
  private static final Predicate<String> MAILER_INSTALLED = Set.of(BankAccount.MAILER)::contains;
  private static final Predicate<String> NO_HANDLERS = name -> false;
  private static final long NOW_MS = 1_700_000_000_123L;
  private static final long SEED = 42;

  private static Execution run(Account base, long version, Object command) {
    return run(base, version, CODEC.encode(command), true, MAILER_INSTALLED);
  }

  private static Execution run(Account base, long version, Encoded command, boolean replyWanted,
                               Predicate<String> handlers) {
    return CommandExecutor.execute(BankAccount.TYPE, base, version,
        new CommandExecutor.Request(ALICE, command, NOW_MS, SEED, replyWanted), handlers, EntityTypes.of(BankAccount.TYPE));
  }

  private static Execution.Accepted accepted(Execution e) {
    assertThat(e).isInstanceOf(Execution.Accepted.class);
    return (Execution.Accepted) e;
  }

  private static Execution.Rejected rejected(Execution e, RejectionKind kind) {
    assertThat(e).isInstanceOf(Execution.Rejected.class);
    Execution.Rejected r = (Execution.Rejected) e;
    assertThat(r.kind()).as(r.message()).isEqualTo(kind);
    return r;
  }

  private static Stamped stampWith(long nowMs, long seed, long version) {
    Execution e = CommandExecutor.execute(BankAccount.TYPE, BankAccount.account("alice"), version,
        new CommandExecutor.Request(ALICE, CODEC.encode(new Stamp()), nowMs, seed, false), NO_HANDLERS, EntityTypes.of(BankAccount.TYPE));
    return (Stamped) CODEC.decode(accepted(e).events().get(0));
  }

  @Test
  void aDepositIsAcceptedWithItsEncodedEventAndTheNewStateAsReply() {
    Account base = BankAccount.account("alice", 100);

    Execution.Accepted a = accepted(run(base, 1, new Deposit(50)));

    Account expected = BankAccount.account("alice", 100, 50);
    assertThat(a.events()).containsExactly(CODEC.encode(new Deposited(50)));
    assertThat(a.newState()).isEqualTo(expected);
    assertThat(a.newVersion()).isEqualTo(2);
    assertThat(a.replyIsState()).isTrue();
    assertThat(a.reply()).isEqualTo(CODEC.encode(expected));
    assertThat(a.effects()).isEmpty();
  }

  @Test
  void theVersionAdvancesByOnePerEventAndEventsKeepTheirOrder() {
    Account base = BankAccount.account("alice", 100);

    Execution.Accepted a = accepted(run(base, 7, new DepositInParts(List.of(1L, 20L, 300L))));

    assertThat(a.newVersion()).isEqualTo(10);
    assertThat(a.events()).extracting(CODEC::decode)
        .containsExactly(new Deposited(1), new Deposited(20), new Deposited(300));
    assertThat(a.newState()).isEqualTo(BankAccount.account("alice", 100, 1, 20, 300));
  }

  @Test
  void aCommandWithNoEventsKeepsStateAndVersionAndSendsItsExplicitReply() {
    Account base = BankAccount.account("alice", 100);

    Execution.Accepted a = accepted(run(base, 5, new GetBalance()));

    assertThat(a.events()).isEmpty();
    assertThat(a.newVersion()).isEqualTo(5);
    assertThat(a.newState()).isEqualTo(base);
    assertThat(a.replyIsState()).isFalse();
    assertThat(a.reply()).isEqualTo(CODEC.encode(new BalanceIs(100)));
  }

  @Test
  void whenNoReplyIsWantedNoneIsEncodedButTheStateIsStillComputed() {
    Account base = BankAccount.account("alice", 100);

    Execution.Accepted a = accepted(run(base, 1, CODEC.encode(new Deposit(5)), false, MAILER_INSTALLED));

    assertThat(a.reply()).isNull();
    assertThat(a.newState()).isEqualTo(BankAccount.account("alice", 100, 5));
    assertThat(a.newVersion()).isEqualTo(2);
  }

  @Test
  void aLargeDepositCarriesItsEncodedMailerEffect() {
    Account base = BankAccount.account("alice");

    Execution.Accepted a = accepted(run(base, 0, new Deposit(BankAccount.LARGE_DEPOSIT_CENTS)));

    assertThat(a.effects()).containsExactly(new EncodedEffect(BankAccount.MAILER,
        CODEC.encode(new LargeDeposit("alice", BankAccount.LARGE_DEPOSIT_CENTS)), false));
  }

  @Test
  void anOverdraftIsRejectedByTheEntityWithItsReason() {
    Execution.Rejected r = rejected(run(BankAccount.account("alice", 10), 1, new Withdraw(20)),
        RejectionKind.REJECTED_BY_ENTITY);

    assertThat(r.message()).isEqualTo("insufficient funds: balance 10, asked 20");
  }

  @Test
  void aWithdrawalWithinTheBalanceIsAccepted() {
    Execution.Accepted a = accepted(run(BankAccount.account("alice", 10), 1, new Withdraw(10)));

    assertThat(a.events()).extracting(CODEC::decode).containsExactly(new Withdrawn(10));
    assertThat(((Account) a.newState()).balanceCents()).isZero();
  }

  @Test
  void aThrowingHandlerIsRejectedAsHandlerFailedNamingCommandEntityAndCause() {
    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, new Explode("kaboom")),
        RejectionKind.HANDLER_FAILED);

    assertThat(r.message())
        .contains("handle(Explode)")
        .contains(ALICE.toString())
        .contains("IllegalStateException")
        .contains("kaboom");
  }

  @Test
  void aHandlerReturningNullIsRejectedAsHandlerFailed() {
    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, new ReturnNull()),
        RejectionKind.HANDLER_FAILED);

    assertThat(r.message()).contains("handle(ReturnNull)").contains("returned null");
  }

  @Test
  void anEventWhoseApplyThrowsIsRejectedAsApplyFailedNamingEventAndVersion() {
    Execution.Rejected r = rejected(run(BankAccount.account("alice", 5), 3, new Poison()),
        RejectionKind.APPLY_FAILED);

    // The first event (a deposit) applies at version 3, the poisoned one at version 4.
    assertThat(r.message())
        .contains("apply(Poisoned)")
        .contains(BankAccount.NAME)
        .contains("at version 4")
        .contains("poisoned ledger");
  }

  @Test
  void anEventOfAnUnregisteredClassIsRejectedAsInvalidDecision() {
    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, new EmitUnlisted()),
        RejectionKind.INVALID_DECISION);

    assertThat(r.message()).contains(BankAccount.NAME).contains(Unlisted.class.getName());
  }

  @Test
  void anEffectForAHandlerThisNodeDoesNotHaveIsRejectedAsInvalidDecision() {
    Encoded large = CODEC.encode(new Deposit(BankAccount.LARGE_DEPOSIT_CENTS));

    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, large, true, NO_HANDLERS),
        RejectionKind.INVALID_DECISION);

    assertThat(r.message()).contains("'" + BankAccount.MAILER + "'").contains("LargeDeposit");
  }

  @Test
  void anExplicitReplyOfAnUnregisteredClassIsRejectedAsInvalidDecision() {
    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, new ReplyUnregistered()),
        RejectionKind.INVALID_DECISION);

    assertThat(r.message()).contains(BankAccount.NotRegistered.class.getName());
  }

  @Test
  void garbageCommandBytesAreRejectedAsUndecodablePayload() {
    Encoded garbage = new Encoded("Deposit", 1, new byte[] {(byte) 0xff, 0x00, 'x', '{'});

    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, garbage, true, MAILER_INSTALLED),
        RejectionKind.UNDECODABLE_PAYLOAD);

    assertThat(r.message()).contains(BankAccount.NAME).contains("Deposit");
  }

  @Test
  void aCommandWithAMisspeltFieldIsRejectedNamingTheFieldAndTheClass() {
    Encoded typo = new Encoded("Deposit", 1, "{\"cents\":5,\"cnets\":500}".getBytes(StandardCharsets.UTF_8));

    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, typo, true, MAILER_INSTALLED),
        RejectionKind.UNDECODABLE_PAYLOAD);

    assertThat(r.message()).contains(BankAccount.NAME).contains("unknown field 'cnets'")
        .contains(Deposit.class.getName()).contains("cents");
  }

  @Test
  void aTypeThatOptsOutIgnoresUnknownCommandFields() {
    io.pachyderm.entity.EntityType<Account, BankAccount.Command, BankAccount.Event> lenient =
        io.pachyderm.entity.EntityType.builder(BankAccount.NAME, new BankAccount(), Account.class,
                BankAccount.Command.class, BankAccount.Event.class)
            .types(LargeDeposit.class, BalanceIs.class)
            .ignoreUnknownCommandFields()
            .build();
    Encoded extra = new Encoded("Deposit", 1, "{\"cents\":5,\"note\":\"x\"}".getBytes(StandardCharsets.UTF_8));

    Execution e = CommandExecutor.execute(lenient, BankAccount.account("alice"), 0,
        new CommandExecutor.Request(ALICE, extra, NOW_MS, SEED, true), MAILER_INSTALLED, EntityTypes.of(lenient));

    assertThat(e).isInstanceOf(Execution.Accepted.class);
  }

  @Test
  void aJsonNullCommandIsRejectedAsUndecodablePayload() {
    Encoded nothing = new Encoded("Deposit", 1, "null".getBytes(StandardCharsets.UTF_8));

    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, nothing, true, MAILER_INSTALLED),
        RejectionKind.UNDECODABLE_PAYLOAD);

    assertThat(r.message()).contains(BankAccount.NAME).contains("Deposit");
  }

  @Test
  void aRegisteredTypeThatIsNotACommandIsRejectedAsUndecodablePayload() {
    Execution.Rejected r = rejected(
        run(BankAccount.account("alice"), 0, CODEC.encode(new Deposited(5)), true, MAILER_INSTALLED),
        RejectionKind.UNDECODABLE_PAYLOAD);

    assertThat(r.message()).contains("Deposited").contains(BankAccount.NAME).contains("not a Command");
  }

  @Test
  void anUnknownCommandTypeIsRejectedAsUndecodablePayload() {
    Encoded unknown = new Encoded("Transfer", 1, "{}".getBytes(StandardCharsets.UTF_8));

    Execution.Rejected r = rejected(run(BankAccount.account("alice"), 0, unknown, true, MAILER_INSTALLED),
        RejectionKind.UNDECODABLE_PAYLOAD);

    assertThat(r.message()).contains("'Transfer'");
  }

  @Test
  void theContextTellsTheHandlerTheRequestTimeAndTheEntitysIdEcosystemAndVersion() {
    Stamped stamped = stampWith(NOW_MS, SEED, 17);

    assertThat(stamped.atMs()).isEqualTo(NOW_MS);
    assertThat(stamped.id()).isEqualTo("alice");
    assertThat(stamped.ecosystem()).isEqualTo("test-eco");
    assertThat(stamped.seenVersion()).isEqualTo(17);
  }

  @Test
  void theContextClockFollowsTheRequestNotTheWallClock() {
    assertThat(stampWith(0, SEED, 0).atMs()).isZero();
    assertThat(stampWith(86_400_000L, SEED, 0).atMs()).isEqualTo(86_400_000L);
  }

  @Test
  void theContextRandomDrawsTheSameValuesForTheSameSeedAndOthersForAnotherSeed() {
    long first = stampWith(NOW_MS, 7, 0).drawn();
    long again = stampWith(NOW_MS + 1000, 7, 3).drawn();
    long other = stampWith(NOW_MS, 8, 0).drawn();

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void anExecutionSaysWhetherHandleDrewRandomnessSoThatItsSeedMatters() {
    Execution stamp = CommandExecutor.execute(BankAccount.TYPE, BankAccount.account("alice"), 0,
        new CommandExecutor.Request(ALICE, CODEC.encode(new Stamp()), NOW_MS, SEED, false), NO_HANDLERS,
        EntityTypes.of(BankAccount.TYPE));

    assertThat(stamp.randomDrawn()).as("Stamp draws from ctx.random()").isTrue();
    assertThat(run(BankAccount.account("alice", 100), 1, new Deposit(5)).randomDrawn()).isFalse();
    assertThat(rejected(run(BankAccount.account("alice", 100), 1, new Withdraw(1000)), RejectionKind.REJECTED_BY_ENTITY)
        .randomDrawn()).isFalse();
  }

  @Test
  void theBaseStateIsLeftAsItWasWhetherTheCommandIsAcceptedOrRejected() {
    Account base = BankAccount.account("alice", 100, -30);
    Account copy = BankAccount.account("alice", 100, -30);

    accepted(run(base, 2, new Deposit(5)));
    accepted(run(base, 2, new DepositInParts(List.of(1L, 2L))));
    rejected(run(base, 2, new Poison()), RejectionKind.APPLY_FAILED);
    rejected(run(base, 2, new Withdraw(1000)), RejectionKind.REJECTED_BY_ENTITY);

    assertThat(base).isEqualTo(copy);
  }

  @Test
  void runningTheSameRequestTwiceOnTheSameBaseGivesEqualResults() {
    Account base = BankAccount.account("alice", 100);

    Execution first = run(base, 1, new DepositInParts(List.of(4L, 5L)));
    Execution second = run(base, 1, new DepositInParts(List.of(4L, 5L)));

    assertThat(second).isEqualTo(first);
  }
}
