package io.pachyderm.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

  enum Tier { BRONZE, SILVER, GOLD }

  record Address(String street, String city) {}

  record Customer(String name, Tier tier, Address home, List<Address> previous, List<Tier> history,
                  Map<String, Integer> scores, long balanceCents, boolean active) {}

  /** Declared out of alphabetical order on purpose. */
  record Unsorted(int zeta, int alpha, int middle) {}

  /** Current schema (v3): {@code fullName} was {@code name} in v1; {@code trail} records the upcasts applied. */
  record Person(String fullName, String trail) {}

  record Unregistered(int x) {}

  private static final TypeRegistry TYPES = TypeRegistry.builder()
      .register(Customer.class)
      .register(Address.class)
      .register(Tier.class)
      .register(Unsorted.class)
      .build();

  private static Encoded json(String type, int version, String body) {
    return new Encoded(type, version, body.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(Encoded e) {
    return new String(e.data(), StandardCharsets.UTF_8);
  }

  private static Customer customer(Map<String, Integer> scores) {
    return new Customer("Ada", Tier.GOLD, new Address("1 Main St", "Springfield"),
        List.of(new Address("2 Elm St", "Shelbyville"), new Address("3 Oak St", "Capital City")),
        List.of(Tier.BRONZE, Tier.SILVER, Tier.GOLD), scores, -1_234_567_890_123L, true);
  }

  /** v1 → v2: rename name → fullName. v2 → v3: no shape change; both steps append to trail. */
  private static ObjectNode v1ToV2(ObjectNode n) {
    n.set("fullName", n.remove("name"));
    return n.put("trail", n.path("trail").asText() + ">v2");
  }

  private static ObjectNode v2ToV3(ObjectNode n) {
    return n.put("trail", n.path("trail").asText() + ">v3");
  }

  private static TypeRegistry personAtVersion3() {
    return TypeRegistry.builder().register(Person.class).alias("Human", Person.class).version(Person.class, 3).build();
  }

  @Test
  void nestedRecordsListsEnumsAndMapsSurviveARoundTrip() {
    JsonCodec codec = JsonCodec.of(TYPES);
    Customer original = customer(Map.of("q1", 3, "q2", -7));

    Encoded encoded = codec.encode(original);

    assertThat(encoded.type()).isEqualTo("Customer");
    assertThat(encoded.schemaVersion()).isEqualTo(1);
    assertThat(codec.decode(encoded)).isEqualTo(original);
  }

  @Test
  void enumsAndRecordsRegisteredOnTheirOwnRoundTrip() {
    JsonCodec codec = JsonCodec.of(TYPES);

    assertThat(codec.decode(codec.encode(Tier.SILVER))).isEqualTo(Tier.SILVER);
    assertThat(codec.decode(codec.encode(new Address("a", null)))).isEqualTo(new Address("a", null));
  }

  @Test
  void equalValuesEncodeToEqualBytesWhateverTheMapInsertionOrder() {
    JsonCodec codec = JsonCodec.of(TYPES);
    Map<String, Integer> forward = new LinkedHashMap<>();
    Map<String, Integer> backward = new LinkedHashMap<>();
    Map<String, Integer> hashed = new HashMap<>(1024);
    for (int i = 0; i < 50; i++) {
      forward.put("k" + i, i);
      backward.put("k" + (49 - i), 49 - i);
      hashed.put("k" + (i * 7 % 50), i * 7 % 50);
    }
    assertThat(forward).isEqualTo(backward).isEqualTo(hashed);

    Encoded a = codec.encode(customer(forward));
    Encoded b = codec.encode(customer(backward));
    Encoded c = codec.encode(customer(hashed));

    assertThat(a).isEqualTo(b).isEqualTo(c);
    assertThat(a.data()).isEqualTo(b.data()).isEqualTo(c.data());
  }

  @Test
  void propertiesAreWrittenInAlphabeticalOrderNotDeclarationOrder() {
    Encoded encoded = JsonCodec.of(TYPES).encode(new Unsorted(1, 2, 3));

    assertThat(text(encoded)).isEqualTo("{\"alpha\":2,\"middle\":3,\"zeta\":1}");
  }

  @Test
  void unknownJsonFieldsAreIgnored() {
    Object decoded = JsonCodec.of(TYPES).decode(json("Address", 1,
        "{\"city\":\"Springfield\",\"street\":\"1 Main St\",\"zip\":\"12345\",\"geo\":{\"lat\":1.5}}"));

    assertThat(decoded).isEqualTo(new Address("1 Main St", "Springfield"));
  }

  @Test
  void missingJsonFieldsTakeJavaDefaults() {
    Object decoded = JsonCodec.of(TYPES).decode(json("Customer", 1, "{\"name\":\"Ada\"}"));

    assertThat(decoded).isEqualTo(new Customer("Ada", null, null, null, null, null, 0L, false));
  }

  @Test
  void encodingAnUnregisteredClassFailsNamingTheClass() {
    assertThatThrownBy(() -> JsonCodec.of(TYPES).encode(new Unregistered(1)))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(Unregistered.class.getName())
        .hasMessageContaining("not registered");
  }

  @Test
  void decodingAnUnknownTypeNamesTheTypeAndVersionAndListsTheRegisteredTypes() {
    assertThatThrownBy(() -> JsonCodec.of(TYPES).decode(json("Ghost", 2, "{}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("'Ghost'")
        .hasMessageContaining("schema version 2")
        .hasMessageContaining("[Customer, Address, Tier, Unsorted]");
  }

  @Test
  void decodingANewerSchemaVersionThanThisCodeKnowsIsAClearError() {
    assertThatThrownBy(() -> JsonCodec.of(TYPES).decode(json("Address", 2, "{\"street\":\"x\"}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("Address")
        .hasMessageContaining("schema version 2")
        .hasMessageContaining("versions up to 1");
  }

  @Test
  void decodingGarbageBytesNamesTheTypeAndVersion() {
    assertThatThrownBy(() -> JsonCodec.of(TYPES).decode(json("Address", 1, "{not json")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("Address")
        .hasMessageContaining("schema version 1");
  }

  @Test
  void decodingAJsonNullIsAnErrorNotANullValue() {
    assertThatThrownBy(() -> JsonCodec.of(TYPES).decode(json("Address", 1, "null")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("Address")
        .hasMessageContaining("schema version 1");
  }

  @Test
  void upcastersAreAppliedOneVersionAtATimeInOrderFromTheWrittenVersion() {
    JsonCodec codec = JsonCodec.builder(personAtVersion3())
        .upcaster(Person.class, 2, JsonCodecTest::v2ToV3)
        .upcaster(Person.class, 1, JsonCodecTest::v1ToV2)
        .build();

    assertThat(codec.decode(json("Person", 1, "{\"name\":\"Ada\",\"trail\":\"v1\"}")))
        .isEqualTo(new Person("Ada", "v1>v2>v3"));
    assertThat(codec.decode(json("Person", 2, "{\"fullName\":\"Ada\",\"trail\":\"v2\"}")))
        .isEqualTo(new Person("Ada", "v2>v3"));
    assertThat(codec.decode(json("Person", 3, "{\"fullName\":\"Ada\",\"trail\":\"v3\"}")))
        .isEqualTo(new Person("Ada", "v3"));
  }

  @Test
  void dataWrittenUnderAnAliasIsUpcastWithTheUpcastersOfTheCurrentName() {
    JsonCodec codec = JsonCodec.builder(personAtVersion3())
        .upcaster(Person.class, 1, JsonCodecTest::v1ToV2)
        .upcaster(Person.class, 2, JsonCodecTest::v2ToV3)
        .build();

    assertThat(codec.decode(json("Human", 1, "{\"name\":\"Ada\",\"trail\":\"v1\"}")))
        .isEqualTo(new Person("Ada", "v1>v2>v3"));
  }

  @Test
  void valuesAreWrittenAtTheCurrentSchemaVersion() {
    JsonCodec codec = JsonCodec.builder(personAtVersion3())
        .upcaster(Person.class, 1, JsonCodecTest::v1ToV2)
        .upcaster(Person.class, 2, JsonCodecTest::v2ToV3)
        .build();

    Encoded encoded = codec.encode(new Person("Ada", "new"));

    assertThat(encoded.schemaVersion()).isEqualTo(3);
    assertThat(codec.decode(encoded)).isEqualTo(new Person("Ada", "new"));
  }

  @Test
  void aMissingUpcasterStepIsAClearErrorNamingTheStep() {
    JsonCodec codec = JsonCodec.builder(personAtVersion3())
        .upcaster(Person.class, 2, JsonCodecTest::v2ToV3)
        .build();

    assertThatThrownBy(() -> codec.decode(json("Person", 1, "{\"name\":\"Ada\"}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("Person")
        .hasMessageContaining("schema version 1")
        .hasMessageContaining("no upcaster from version 1 to 2");
    assertThat(codec.decode(json("Person", 2, "{\"fullName\":\"Ada\",\"trail\":\"v2\"}")))
        .isEqualTo(new Person("Ada", "v2>v3"));
  }

  @Test
  void oldDataThatIsNotAJsonObjectCannotBeUpcast() {
    JsonCodec codec = JsonCodec.builder(personAtVersion3())
        .upcaster(Person.class, 1, JsonCodecTest::v1ToV2)
        .upcaster(Person.class, 2, JsonCodecTest::v2ToV3)
        .build();

    assertThatThrownBy(() -> codec.decode(json("Person", 1, "[1,2]")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("Person v1")
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void upcasterRegistrationsOutsideTheVersionRangeDuplicatedOrForUnregisteredClassesAreRefused() {
    JsonCodec.Builder builder = JsonCodec.builder(personAtVersion3()).upcaster(Person.class, 1, n -> n);

    assertThatThrownBy(() -> builder.upcaster(Person.class, 1, n -> n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two upcasters for Person from version 1");
    assertThatThrownBy(() -> builder.upcaster(Person.class, 0, n -> n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside 1..2");
    assertThatThrownBy(() -> builder.upcaster(Person.class, 3, n -> n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside 1..2");
    assertThatThrownBy(() -> builder.upcaster(Unregistered.class, 1, n -> n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Unregistered.class.getName());
  }

  @Test
  void unknownFieldsFailInCommandsButNotInStoredData() {
    Encoded typo = json("Address", 1, "{\"street\":\"1 Main St\",\"ctiy\":\"Springfield\"}");

    assertThat(JsonCodec.of(TYPES).decode(typo)).isEqualTo(new Address("1 Main St", null));
    assertThatThrownBy(() -> JsonCodec.of(TYPES).decodeCommand(typo))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unknown field 'ctiy'")
        .hasMessageContaining(Address.class.getName())
        .hasMessageContaining("city");
    assertThat(JsonCodec.builder(TYPES).ignoreUnknownCommandFields().build().decodeCommand(typo))
        .isEqualTo(new Address("1 Main St", null));
  }

  @Test
  void anUpcastCommandIsAlsoReadStrictly() {
    JsonCodec codec = JsonCodec.builder(personAtVersion3())
        .upcaster(Person.class, 1, JsonCodecTest::v1ToV2)
        .upcaster(Person.class, 2, JsonCodecTest::v2ToV3)
        .build();

    assertThatThrownBy(() -> codec.decodeCommand(json("Person", 1, "{\"name\":\"Ada\",\"agee\":3}")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("unknown field 'agee'");
  }
}
