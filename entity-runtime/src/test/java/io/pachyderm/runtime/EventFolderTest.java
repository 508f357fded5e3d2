package io.pachyderm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.codec.Codec;
import io.pachyderm.codec.Encoded;
import io.pachyderm.runtime.BankAccount.Account;
import io.pachyderm.runtime.BankAccount.Deposit;
import io.pachyderm.runtime.BankAccount.Deposited;
import io.pachyderm.runtime.BankAccount.Poisoned;
import io.pachyderm.runtime.BankAccount.Withdrawn;
import io.pachyderm.runtime.EventFolder.EventApplyException;
import io.pachyderm.runtime.EventFolder.Folded;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFolderTest {
  private static final Codec CODEC = BankAccount.TYPE.codec();

  private static Encoded json(String type, String body) {
    return new Encoded(type, 1, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eventsAreFoldedInLogOrderAndEachAdvancesTheVersionByOne() {
    Account start = BankAccount.account("alice", 50);
    List<Encoded> events = List.of(CODEC.encode(new Deposited(10)), CODEC.encode(new Withdrawn(3)),
        CODEC.encode(new Deposited(5)));

    Folded folded = EventFolder.fold(BankAccount.TYPE, start, 4, events);

    assertThat(folded.version()).isEqualTo(7);
    assertThat(folded.state()).isEqualTo(BankAccount.account("alice", 50, 10, -3, 5));
  }

  @Test
  void foldingNoEventsKeepsStateAndVersion() {
    Account start = BankAccount.account("alice", 50);

    Folded folded = EventFolder.fold(BankAccount.TYPE, start, 9, List.of());

    assertThat(folded.state()).isSameAs(start);
    assertThat(folded.version()).isEqualTo(9);
  }

  @Test
  void foldingTheExecutorsEventsReachesTheExecutorsNewStateAndVersion() {
    Account start = BankAccount.account("alice", 50);
    Execution.Accepted a = (Execution.Accepted) CommandExecutor.execute(BankAccount.TYPE, start, 2,
        new CommandExecutor.Request(new EntityKey("e", BankAccount.NAME, "alice"),
            CODEC.encode(new BankAccount.DepositInParts(List.of(1L, 2L, 3L))), 0, 0, false),
        name -> false, io.pachyderm.entity.EntityTypes.of(BankAccount.TYPE));

    Folded folded = EventFolder.fold(BankAccount.TYPE, start, 2, a.events());

    assertThat(folded.state()).isEqualTo(a.newState());
    assertThat(folded.version()).isEqualTo(a.newVersion());
  }

  @Test
  void anUndecodableEventRaisesEventApplyExceptionNamingTypeAndVersions() {
    List<Encoded> events = List.of(CODEC.encode(new Deposited(10)), json("Deposited", "{broken"));

    assertThatThrownBy(() -> EventFolder.fold(BankAccount.TYPE, BankAccount.account("alice"), 5, events))
        .isInstanceOf(EventApplyException.class)
        .hasMessageContaining("cannot decode event Deposited v1")
        .hasMessageContaining(BankAccount.NAME)
        .hasMessageContaining("at version 6");
  }

  @Test
  void anEventOfAnUnknownTypeRaisesEventApplyExceptionNamingIt() {
    List<Encoded> events = List.of(json("Refunded", "{\"cents\":1}"));

    assertThatThrownBy(() -> EventFolder.fold(BankAccount.TYPE, BankAccount.account("alice"), 0, events))
        .isInstanceOf(EventApplyException.class)
        .hasMessageContaining("Refunded v1")
        .hasMessageContaining("at version 0");
  }

  @Test
  void aJsonNullEventRaisesEventApplyExceptionNamingTypeAndVersion() {
    List<Encoded> events = List.of(json("Deposited", "null"));

    assertThatThrownBy(() -> EventFolder.fold(BankAccount.TYPE, BankAccount.account("alice"), 3, events))
        .isInstanceOf(EventApplyException.class)
        .hasMessageContaining("Deposited v1")
        .hasMessageContaining("at version 3");
  }

  @Test
  void anEventWhoseApplyThrowsRaisesEventApplyExceptionNamingTypeAndVersion() {
    List<Encoded> events = List.of(CODEC.encode(new Deposited(1)), CODEC.encode(new Deposited(2)),
        CODEC.encode(new Poisoned()));

    assertThatThrownBy(() -> EventFolder.fold(BankAccount.TYPE, BankAccount.account("alice"), 10, events))
        .isInstanceOf(EventApplyException.class)
        .hasMessageContaining("apply(Poisoned)")
        .hasMessageContaining(BankAccount.NAME)
        .hasMessageContaining("at version 12")
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("poisoned ledger");
  }

  @Test
  void aRegisteredClassThatIsNotAnEventRaisesEventApplyException() {
    List<Encoded> events = List.of(CODEC.encode(new Deposit(1)));

    assertThatThrownBy(() -> EventFolder.fold(BankAccount.TYPE, BankAccount.account("alice"), 0, events))
        .isInstanceOf(EventApplyException.class)
        .hasMessageContaining(Deposit.class.getName())
        .hasMessageContaining("is not a");
  }
}
