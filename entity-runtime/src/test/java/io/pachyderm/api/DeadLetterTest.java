package io.pachyderm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

  @Test
  void idIsEcosystemTypeIdAndSeq() {
    DeadLetter letter = letter("tenant-a", EntityRef.of("order", "o-17"), 4);

    assertThat(letter.id()).isEqualTo("tenant-a/order/o-17#4");
    assertThat(DeadLetter.parseId(letter.id()))
        .isEqualTo(new DeadLetter.Id("tenant-a", EntityRef.of("order", "o-17"), 4));
  }

  @Test
  void idsRoundTripWhateverTheEntityIdHolds() {
    List<String> entityIds = List.of(
        "a/b/c",            // slashes: the type ends at the second '/', not the last
        "x#5",              // a '#' followed by digits: the seq is after the last '#'
        "#", "##1#", "/", "/#/", "a b\tc",
        "ünïcödé-日本語-🐘",  // a 4-byte code point too
        "x".repeat(EntityRef.ID_BYTES_MAX));
    for (String entityId : entityIds) {
      for (long seq : new long[] {0, 1, 42, Long.MAX_VALUE}) {
        DeadLetter.Id id = new DeadLetter.Id("eco.1_x-y", EntityRef.of("my.type_2-b", entityId), seq);

        assertThat(DeadLetter.parseId(id.toString())).as(id.toString()).isEqualTo(id);
        assertThat(letter(id.ecosystem(), id.source(), seq).id()).isEqualTo(id.toString());
      }
    }
  }

  @Test
  void anIdWithoutTwoSlashesIsRefused() {
    assertMalformed("counter#3", "not of the form ecosystem/type/id#seq");
    assertMalformed("default/counter#3", "not of the form ecosystem/type/id#seq");
  }

  @Test
  void anIdWithoutAHashAfterTheTypeIsRefused() {
    assertMalformed("default/counter/c1", "not of the form ecosystem/type/id#seq");
    // The only '#' is inside the ecosystem part, so the id part has none.
    assertMalformed("def#1/counter/c1", "not of the form ecosystem/type/id#seq");
  }

  @Test
  void aMissingSeqIsRefused() {
    assertMalformed("default/counter/c1#", "sequence number after the last '#' is missing");
  }

  @Test
  void aSeqThatIsNotDecimalDigitsIsRefusedShowingIt() {
    assertMalformed("default/counter/c1#x7", "must be decimal digits, was 'x7'");
    assertMalformed("default/counter/c1#-1", "must be decimal digits, was '-1'");
    assertMalformed("default/counter/c1#+1", "must be decimal digits, was '+1'");
    assertMalformed("default/counter/c1#1 ", "must be decimal digits, was '1 '");
    assertMalformed("default/counter/c1#٣", "must be decimal digits"); // an Arabic-Indic three
  }

  @Test
  void aSeqBeyondTheRangeIsRefused() {
    assertMalformed("default/counter/c1#9223372036854775808", "9223372036854775808 is out of range");
  }

  @Test
  void anEmptyEcosystemTypeOrIdIsRefusedNamingThePart() {
    assertMalformed("/counter/c1#1", "ecosystem name ''");
    assertMalformed("default//c1#1", "entity type ''");
    assertMalformed("default/counter/#1", "entity id must not be empty");
  }

  @Test
  void invalidNamesAreRefusedNamingThePart() {
    assertMalformed("my eco/counter/c1#1", "ecosystem name 'my eco'");
    assertMalformed("default/count er/c1#1", "entity type 'count er'");
  }

  @Test
  void anOverlongEntityIdIsRefused() {
    String id = "default/counter/" + "x".repeat(EntityRef.ID_BYTES_MAX + 1) + "#1";

    assertThatThrownBy(() -> DeadLetter.parseId(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than " + EntityRef.ID_BYTES_MAX + " bytes")
        // The message shows the start of the id, not all of it.
        .hasMessageContaining("...")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(400));
  }

  @Test
  void anEmptyIdIsRefusedAndNullIsANullPointer() {
    assertMalformed("", "not of the form ecosystem/type/id#seq");
    assertThatThrownBy(() -> DeadLetter.parseId(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("dead letter id");
  }

  @Test
  void aNegativeSeqCannotBeBuilt() {
    assertThatThrownBy(() -> new DeadLetter.Id("default", EntityRef.of("counter", "c1"), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 0, was -1");
  }

  private static void assertMalformed(String id, String expected) {
    assertThatThrownBy(() -> DeadLetter.parseId(id))
        .as(id)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dead letter id '")
        .hasMessageContaining("is malformed")
        .hasMessageContaining(expected);
  }

  private static DeadLetter letter(String ecosystem, EntityRef<Object, Object> source, long seq) {
    return new DeadLetter(ecosystem, source, seq, "mailer",
        new Encoded("Notify", 1, "{}".getBytes(StandardCharsets.UTF_8)), null, 3, 10, "boom",
        Instant.ofEpochMilli(1_700_000_000_000L));
  }
}
