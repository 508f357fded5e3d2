package io.pachyderm.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.codec.Codec;
import io.pachyderm.codec.CodecException;
import io.pachyderm.codec.Encoded;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EntityTypeTest {

  record Wallet(long cents) {}

  sealed interface Command permits Credit, Debit {}

  record Credit(long cents) implements Command {}

  record Debit(long cents) implements Command {}

  /** Two levels of sealing: the registry has to recurse. */
  sealed interface Event permits Money, Closed {}

  sealed interface Money extends Event permits Credited, Debited {}

  record Credited(long cents) implements Money {}

  record Debited(long cents) implements Money {}

  record Closed() implements Event {}

  record Receipt(long cents) {}

  record NeverRegistered() {}

  static final class WalletEntity implements Entity<Wallet, Command, Event> {
    @Override
    public Wallet initial(String id) {
      return new Wallet(0);
    }

    @Override
    public Decision<Event> handle(Command command, Wallet state, Context ctx) {
      return Decision.none();
    }

    @Override
    public Wallet apply(Event event, Wallet state) {
      return state;
    }
  }

  /** Two permitted records that share the simple name {@code Opened}. */
  static final class Savings {
    record Opened(long ratePpm) implements Clashing {}
  }

  static final class Checking {
    record Opened(long overdraftCents) implements Clashing {}
  }

  sealed interface Clashing permits Savings.Opened, Checking.Opened {}

  static final class ClashingEntity implements Entity<Wallet, Command, Clashing> {
    @Override
    public Wallet initial(String id) {
      return new Wallet(0);
    }

    @Override
    public Decision<Clashing> handle(Command command, Wallet state, Context ctx) {
      return Decision.none();
    }

    @Override
    public Wallet apply(Clashing event, Wallet state) {
      return state;
    }
  }

  private static EntityType.Builder<Wallet, Command, Event> wallet() {
    return EntityType.builder("wallet", new WalletEntity(), Wallet.class, Command.class, Event.class);
  }

  private static Encoded json(String type, int version, String body) {
    return new Encoded(type, version, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void stateCommandsAndEventsAreRegisteredUnderTheirSimpleNamesIncludingNestedSealedInterfaces() {
    Codec codec = wallet().build().codec();

    assertThat(codec.encode(new Wallet(5)).type()).isEqualTo("Wallet");
    assertThat(codec.encode(new Credit(1)).type()).isEqualTo("Credit");
    assertThat(codec.encode(new Debit(1)).type()).isEqualTo("Debit");
    assertThat(codec.encode(new Credited(1)).type()).isEqualTo("Credited");
    assertThat(codec.encode(new Debited(1)).type()).isEqualTo("Debited");
    assertThat(codec.encode(new Closed()).type()).isEqualTo("Closed");
    assertThat(codec.decode(json("Debited", 1, "{\"cents\":7}"))).isEqualTo(new Debited(7));
  }

  @Test
  void aClassOutsideTheHierarchiesCannotBeEncodedUntilAddedWithTypes() {
    assertThatThrownBy(() -> wallet().build().codec().encode(new Receipt(1)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(Receipt.class.getName())
        .hasMessageContaining("types(");

    Codec codec = wallet().types(Receipt.class).build().codec();
    assertThat(codec.encode(new Receipt(1)).type()).isEqualTo("Receipt");
  }

  @Test
  void anExtraClassCanBeRegisteredUnderAnExplicitStableName() {
    Codec codec = wallet().name("wallet.receipt", Receipt.class).build().codec();

    assertThat(codec.encode(new Receipt(3)).type()).isEqualTo("wallet.receipt");
    assertThat(codec.decode(json("wallet.receipt", 1, "{\"cents\":3}"))).isEqualTo(new Receipt(3));
  }

  @Test
  void anEventOfTheSealedHierarchyCanBeGivenAnExplicitStableName() {
    Codec codec = wallet().name("wallet.credited", Credited.class).build().codec();

    assertThat(codec.encode(new Credited(3)).type()).isEqualTo("wallet.credited");
    assertThat(codec.encode(new Debited(3)).type()).isEqualTo("Debited");
    assertThat(codec.decode(json("wallet.credited", 1, "{\"cents\":3}"))).isEqualTo(new Credited(3));
  }

  @Test
  void dataWrittenUnderAnOldNameIsReadThroughAnAliasAndWrittenUnderTheNewName() {
    Codec codec = wallet().alias("Deposited", Credited.class).build().codec();

    assertThat(codec.decode(json("Deposited", 1, "{\"cents\":9}"))).isEqualTo(new Credited(9));
    assertThat(codec.decode(json("Credited", 1, "{\"cents\":9}"))).isEqualTo(new Credited(9));
    assertThat(codec.encode(new Credited(9)).type()).isEqualTo("Credited");
  }

  @Test
  void anAliasThatNamesAnotherRegisteredClassIsRefused() {
    assertThatThrownBy(() -> wallet().alias("Debited", Credited.class).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Debited'")
        .hasMessageContaining(Debited.class.getName());
  }

  @Test
  void twoPermittedRecordsWithTheSameSimpleNameAreRefusedNamingBothClasses() {
    assertThatThrownBy(() -> EntityType.builder("bank", new ClashingEntity(), Wallet.class, Command.class,
            Clashing.class).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Opened'")
        .hasMessageContaining(Savings.Opened.class.getName())
        .hasMessageContaining(Checking.Opened.class.getName());
  }

  @Test
  void aSimpleNameClashIsResolvedByNamingOneClassExplicitly() {
    EntityType<Wallet, Command, Clashing> type = EntityType.builder("bank", new ClashingEntity(), Wallet.class,
            Command.class, Clashing.class)
        .name("checking.Opened", Checking.Opened.class)
        .build();

    assertThat(type.codec().encode(new Savings.Opened(5)).type()).isEqualTo("Opened");
    assertThat(type.codec().encode(new Checking.Opened(5)).type()).isEqualTo("checking.Opened");
    assertThat(type.codec().decode(json("checking.Opened", 1, "{\"overdraftCents\":5}")))
        .isEqualTo(new Checking.Opened(5));
  }

  @Test
  void anExtraClassWhoseSimpleNameIsTakenIsRefusedNamingBothClasses() {
    assertThatThrownBy(() -> wallet().types(Savings.Opened.class, Checking.Opened.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Savings.Opened.class.getName())
        .hasMessageContaining(Checking.Opened.class.getName());
  }

  @Test
  void entityTypeNamesOfLettersDigitsDotsUnderscoresAndDashesUpTo128CharactersAreAccepted() {
    for (String name : new String[] {"a", "Z9", "bank-account", "bank_account.v2", "0day", "a".repeat(128)}) {
      assertThatCode(() -> EntityType.builder(name, new WalletEntity(), Wallet.class, Command.class, Event.class))
          .as(name)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void invalidEntityTypeNamesAreRefusedWithTheRule() {
    for (String name : new String[] {"", "-bank", ".bank", "_bank", "bank account", "bank/account", "bank:1",
        "bänk", "a".repeat(129)}) {
      assertThatThrownBy(
          () -> EntityType.builder(name, new WalletEntity(), Wallet.class, Command.class, Event.class))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + name + "'")
          .hasMessageContaining("1..128 characters");
    }
    assertThatThrownBy(() -> EntityType.builder(null, new WalletEntity(), Wallet.class, Command.class, Event.class))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void aSchemaVersionForAnUnregisteredClassIsRefusedAtBuild() {
    EntityType.Builder<Wallet, Command, Event> builder = wallet().schemaVersion(NeverRegistered.class, 2);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unregistered")
        .hasMessageContaining(NeverRegistered.class.getName());
  }

  @Test
  void aSchemaVersionBelowOneIsRefused() {
    assertThatThrownBy(() -> wallet().schemaVersion(Credited.class, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 1");
  }

  @Test
  void aDeclaredSchemaVersionIsWrittenWithEveryEncodedValueOfThatClass() {
    Codec codec = wallet()
        .schemaVersion(Credited.class, 4)
        .upcaster(Credited.class, 1, n -> n)
        .upcaster(Credited.class, 2, n -> n)
        .upcaster(Credited.class, 3, n -> n)
        .build()
        .codec();

    assertThat(codec.encode(new Credited(1)).schemaVersion()).isEqualTo(4);
    assertThat(codec.encode(new Debited(1)).schemaVersion()).isEqualTo(1);
  }

  @Test
  void upcastersTogetherWithACustomCodecAreRefused() {
    Codec custom = new Codec() {
      @Override
      public Encoded encode(Object value) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Object decode(Encoded encoded) {
        throw new UnsupportedOperationException();
      }
    };
    EntityType.Builder<Wallet, Command, Event> builder = wallet()
        .schemaVersion(Credited.class, 2)
        .upcaster(Credited.class, 1, n -> n)
        .codec(custom);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wallet")
        .hasMessageContaining("custom codec");
  }

  @Test
  void aCustomCodecReplacesTheDefault() {
    Codec custom = new Codec() {
      @Override
      public Encoded encode(Object value) {
        return new Encoded("custom", 1, new byte[0]);
      }

      @Override
      public Object decode(Encoded encoded) {
        return new Wallet(0);
      }
    };

    assertThat(wallet().codec(custom).build().codec()).isSameAs(custom);
  }

  @Test
  void aRefCarriesTheRegisteredTypeName() {
    EntityType<Wallet, Command, Event> type = wallet().build();

    assertThat(type.ref("alice")).isEqualTo(new EntityRef<Wallet, Command>("wallet", "alice"));
    assertThat(type.ref("alice").toString()).isEqualTo("wallet/alice");
  }

  @Test
  void entityTypesRefuseTwoTypesWithTheSameName() {
    EntityType<Wallet, Command, Event> one = wallet().build();
    EntityType<Wallet, Command, Event> two = wallet().build();

    assertThatThrownBy(() -> EntityTypes.of(one, two))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'wallet'");
    assertThatThrownBy(() -> EntityTypes.of(one).with(two))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entityTypesFindByNameAndListNamesSorted() {
    EntityType<Wallet, Command, Event> wallet = wallet().build();
    EntityType<Wallet, Command, Event> ledger =
        EntityType.builder("ledger", new WalletEntity(), Wallet.class, Command.class, Event.class).build();

    EntityTypes types = EntityTypes.of(wallet).with(ledger);

    assertThat(types.find("wallet")).isSameAs(wallet);
    assertThat(types.find("ledger")).isSameAs(ledger);
    assertThat(types.find("nope")).isNull();
    assertThat(types.names()).containsExactly("ledger", "wallet");
  }
}
