package io.pachyderm.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.examples.testkit.Await;
import io.pachyderm.examples.testkit.Locals;
import io.pachyderm.examples.testkit.Messaging;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random transfers among ten accounts from several threads on the embedded store: once every
 * credit has landed, the money adds up to what the accounts opened with, every accepted transfer
 * was debited once and credited once, and no balance is negative.
 */
class BankLocalTest {
  private static final int ACCOUNTS = 10;
  private static final int THREADS = 4;
  private static final int TRANSFERS_PER_THREAD = 150;

  @TempDir
  Path dir;

  @Test
  void concurrentRandomTransfersConserveTheTotalAndNeverOverdraw() throws Exception {
    // Replay a failure with -Dexamples.seed=<the seed in its message>.
    long seed = Long.getLong("examples.seed", new SplittableRandom().nextLong());
    AtomicLong accepted = new AtomicLong();
    AtomicLong overdrafts = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try (LocalPachyderm local = Locals.open(dir)) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        SplittableRandom random = new SplittableRandom(seed + t);
        String prefix = "t" + t + "-";
        threads.add(new Thread(() -> {
          for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
            int from = random.nextInt(ACCOUNTS);
            int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            long amount = random.nextLong(1, 60_00);
            try {
              local.call(Account.TYPE.ref("a" + from), new Account.Transfer(prefix + i, "a" + to, amount));
              accepted.incrementAndGet();
            } catch (CommandRejectedException e) {
              if (e.kind() != RejectionKind.REJECTED_BY_ENTITY || !e.getMessage().contains("insufficient funds")) {
                failures.add(e);
              }
              overdrafts.incrementAndGet();
            } catch (RuntimeException e) {
              failures.add(e);
            }
          }
        }, "bank-client-" + t));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).as("unexpected failures (seed %d)", seed).isEmpty();

      Await.until("the balances add up to " + ACCOUNTS * Account.OPENING_BALANCE_CENTS,
          () -> total(local) == ACCOUNTS * Account.OPENING_BALANCE_CENTS, () -> states(local));
      Messaging.awaitNoPendingMessages(local);

      long debits = 0;
      long credits = 0;
      for (Account.State s : states(local)) {
        assertThat(s.balanceCents()).as("a balance (seed %d): %s", seed, states(local)).isNotNegative();
        debits += s.debits();
        credits += s.credits();
      }
      assertThat(total(local)).as("total (seed %d)", seed).isEqualTo(ACCOUNTS * Account.OPENING_BALANCE_CENTS);
      assertThat(debits).as("debits (seed %d)", seed).isEqualTo(accepted.get());
      assertThat(credits).as("credits (seed %d)", seed).isEqualTo(accepted.get());
      assertThat(accepted.get() + overdrafts.get()).isEqualTo((long) THREADS * TRANSFERS_PER_THREAD);

      // A client cannot mint money: credits are taken only from the paying account itself.
      assertThatThrownBy(() -> local.call(Account.TYPE.ref("a0"), new Account.Credit("forged", "a1", 1_00)))
          .isInstanceOf(CommandRejectedException.class)
          .hasMessageContaining("credit forged must be sent by account a1");
      assertThat(total(local)).isEqualTo(ACCOUNTS * Account.OPENING_BALANCE_CENTS);
    }
  }

  private static List<Account.State> states(LocalPachyderm local) {
    List<Account.State> states = new ArrayList<>(ACCOUNTS);
    for (int i = 0; i < ACCOUNTS; i++) {
      states.add(local.query(Account.TYPE.ref("a" + i)).state());
    }
    return states;
  }

  private static long total(LocalPachyderm local) {
    long sum = 0;
    for (Account.State s : states(local)) {
      sum += s.balanceCents();
    }
    return sum;
  }
}
