package io.pachyderm.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.QueryExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Registering named queries, and running them encoded as every ecosystem does ({@link QueryExecutor}). */
class QueryTest {
  record Wallet(long cents) {}

  sealed interface Command permits Credit {}

  record Credit(long cents) implements Command {}

  sealed interface Event permits Credited {}

  record Credited(long cents) implements Event {}

  record Cents(long cents) {}

  static final class WalletEntity implements Entity<Wallet, Command, Event> {
    @Override
    public Wallet initial(String id) {
      return new Wallet(0);
    }

    @Override
    public Decision<Event> handle(Command command, Wallet state, Context ctx) {
      return Decision.emit(new Credited(((Credit) command).cents()));
    }

    @Override
    public Wallet apply(Event event, Wallet state) {
      return new Wallet(state.cents() + ((Credited) event).cents());
    }
  }

  static final Query<Wallet, Void, Long> BALANCE = Query.of("balance", Long.class, Wallet::cents);
  static final Query<Wallet, Cents, Boolean> COVERS =
      Query.of("covers", Cents.class, Boolean.class, (w, c) -> w.cents() >= c.cents());
  static final Query<Wallet, Void, String> THROWS = Query.of("throws", String.class, w -> {
    throw new IllegalStateException("no answer for " + w);
  });
  static final Query<Wallet, Void, String> NOTHING = Query.of("nothing", String.class, w -> null);

  static final EntityType<Wallet, Command, Event> TYPE = builder().query(BALANCE).query(COVERS).query(THROWS)
      .query(NOTHING).build();
  static final EntityKey KEY = new EntityKey("default", "wallet", "w1");

  private static EntityType.Builder<Wallet, Command, Event> builder() {
    return EntityType.builder("wallet", new WalletEntity(), Wallet.class, Command.class, Event.class);
  }

  @Test
  void aQueryIsAPlainFunctionOfTheStateAndItsArgs() {
    assertThat(BALANCE.answer(new Wallet(7), null)).isEqualTo(7L);
    assertThat(COVERS.answer(new Wallet(7), new Cents(8))).isFalse();
    assertThat(BALANCE.takesArgs()).isFalse();
    assertThat(COVERS.takesArgs()).isTrue();
    assertThat(COVERS.argsClass()).isEqualTo(Cents.class);
    assertThat(COVERS).hasToString("Query[covers(Cents) -> Boolean]");
  }

  @Test
  void registrationNamesTheQueriesAndTheirClasses() {
    assertThat(TYPE.query("balance")).isSameAs(BALANCE);
    assertThat(TYPE.query("nope")).isNull();
    assertThat(TYPE.queryNames()).containsExactly("balance", "covers", "nothing", "throws");
    assertThat(TYPE.types().nameOf(Cents.class)).isEqualTo("Cents");
    assertThat(TYPE.types().nameOf(Long.class)).isEqualTo("Long");
  }

  @Test
  void aDuplicateQueryNameIsRefusedAtRegistration() {
    Query<Wallet, Void, Long> another = Query.of("balance", Long.class, w -> 0L);
    assertThatThrownBy(() -> builder().query(BALANCE).query(another))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entity type wallet already has a query named 'balance'");
  }

  @Test
  void invalidQueryDefinitionsAreRefusedAtOnce() {
    assertThatThrownBy(() -> Query.of("bad name!", Long.class, (Wallet w) -> 0L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query name 'bad name!'");
    assertThatThrownBy(() -> Query.of("primitive", long.class, (Wallet w) -> 0L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use its boxed class");
    @SuppressWarnings({"unchecked", "rawtypes"})
    Query<Wallet, Void, List<Long>> list = Query.of("list", (Class) List.class, (Wallet w) -> List.of(w.cents()));
    assertThatThrownBy(() -> builder().query(list).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query 'list': the result class java.util.List is an interface");
  }

  @Test
  void onlyTheResultIsEncoded() {
    Encoded args = QueryExecutor.encodeArgs(TYPE, COVERS, new Cents(5));
    QueryExecutor.Outcome outcome = QueryExecutor.execute(TYPE, KEY, new Wallet(5), "covers", args);
    Encoded result = ((QueryExecutor.Answered) outcome).result();
    assertThat(result.type()).isEqualTo("Boolean");
    assertThat(new String(result.data(), StandardCharsets.UTF_8)).isEqualTo("true");
    assertThat(QueryExecutor.decodeResult(TYPE, COVERS, result)).isTrue();
    assertThat(QueryExecutor.execute(TYPE, KEY, new Wallet(5), "nothing", null))
        .isEqualTo(new QueryExecutor.Answered(null));
  }

  @Test
  void argsWithoutATypeNameAreReadAsTheDeclaredArgsClass() {
    Encoded untyped = new Encoded("", 1, "{\"cents\":6}".getBytes(StandardCharsets.UTF_8));
    QueryExecutor.Outcome outcome = QueryExecutor.execute(TYPE, KEY, new Wallet(5), "covers", untyped);
    assertThat(QueryExecutor.decodeResult(TYPE, COVERS, ((QueryExecutor.Answered) outcome).result())).isFalse();
  }

  @Test
  void everyExpectedFailureIsARefusalNamingTheCause() {
    assertThat(QueryExecutor.execute(TYPE, KEY, new Wallet(1), "nope", null)).isEqualTo(new QueryExecutor.Refused(
        RejectionKind.INVALID_REQUEST,
        "entity type 'wallet' has no query 'nope'; its queries: [balance, covers, nothing, throws]"));
    QueryExecutor.Refused threw = (QueryExecutor.Refused) QueryExecutor.execute(TYPE, KEY, new Wallet(1), "throws",
        null);
    assertThat(threw.kind()).isEqualTo(RejectionKind.HANDLER_FAILED);
    assertThat(threw.message()).isEqualTo("query 'throws' of entity type 'wallet' threw on default:wallet/w1: "
        + "java.lang.IllegalStateException: no answer for Wallet[cents=1]");
    Encoded credit = TYPE.codec().encode(new Credit(1));
    assertThat(QueryExecutor.execute(TYPE, KEY, new Wallet(1), "covers", credit)).isEqualTo(
        new QueryExecutor.Refused(RejectionKind.INVALID_REQUEST,
            "query 'covers' of entity type 'wallet' takes args of class Cents, not Credit"));
    assertThat(QueryExecutor.execute(TYPE, KEY, new Wallet(1), "covers", null)).isEqualTo(
        new QueryExecutor.Refused(RejectionKind.INVALID_REQUEST,
            "query 'covers' of entity type 'wallet' takes args of class Cents; none were given"));
    assertThat(((QueryExecutor.Refused) QueryExecutor.execute(TYPE, KEY, new Wallet(1), "balance", credit)).message())
        .isEqualTo("query 'balance' of entity type 'wallet' takes no args, but Credit was given");
    Encoded garbage = new Encoded("Cents", 1, "{".getBytes(StandardCharsets.UTF_8));
    assertThat(((QueryExecutor.Refused) QueryExecutor.execute(TYPE, KEY, new Wallet(1), "covers", garbage)).message())
        .startsWith("cannot decode the args of query 'covers' of entity type 'wallet'");
  }

  @Test
  void theCallerSideChecksTheQueryAndItsArgsBeforeSending() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Query<Wallet, Object, Boolean> mistyped = (Query) COVERS;
    assertThatThrownBy(() -> QueryExecutor.encodeArgs(TYPE, mistyped, "five"))
        .isInstanceOfSatisfying(CommandRejectedException.class,
            e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST))
        .hasMessageContaining("takes args of class " + Cents.class.getName() + ", not java.lang.String");
    assertThatThrownBy(() -> QueryExecutor.encodeArgs(TYPE, COVERS, null))
        .isInstanceOf(CommandRejectedException.class).hasMessageContaining("none were given");
    Query<Wallet, Void, Long> stranger = Query.of("stranger", Long.class, Wallet::cents);
    assertThatThrownBy(() -> QueryExecutor.encodeArgs(TYPE, stranger, null))
        .isInstanceOf(CommandRejectedException.class)
        .hasMessageContaining("entity type 'wallet' has no query 'stranger'; its queries: [balance, covers, nothing, "
            + "throws]");
  }
}
