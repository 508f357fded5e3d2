package io.pachyderm.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.codec.Encoded;
import io.pachyderm.runtime.EntityKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProtosTest {
  private static final Set<RejectionKind> NOT_A_KIND =
      EnumSet.of(RejectionKind.REJECTION_KIND_UNSPECIFIED, RejectionKind.UNRECOGNIZED);

  @Test
  void everyApiRejectionKindMapsToTheProtoKindOfTheSameNameAndBack() {
    for (io.pachyderm.api.RejectionKind api : io.pachyderm.api.RejectionKind.values()) {
      RejectionKind proto = Protos.kind(api);

      assertThat(proto.name()).as(api.name()).isEqualTo(api.name());
      assertThat(proto.getNumber()).as(api.name()).isPositive();
      assertThat(Protos.kind(proto)).isEqualTo(api);
    }
  }

  @Test
  void everyProtoRejectionKindMapsToTheApiKindOfTheSameNameAndBack() {
    for (RejectionKind proto : RejectionKind.values()) {
      if (NOT_A_KIND.contains(proto)) {
        continue;
      }
      io.pachyderm.api.RejectionKind api = Protos.kind(proto);

      assertThat(api.name()).as(proto.name()).isEqualTo(proto.name());
      assertThat(Protos.kind(api)).isEqualTo(proto);
    }
  }

  @Test
  void theApiAndProtoEnumsNameTheSameKindsSoTheMappingIsOneToOne() {
    Set<String> api = Arrays.stream(io.pachyderm.api.RejectionKind.values()).map(Enum::name)
        .collect(Collectors.toSet());
    Set<String> proto = Arrays.stream(RejectionKind.values()).filter(k -> !NOT_A_KIND.contains(k))
        .map(Enum::name).collect(Collectors.toSet());
    Set<RejectionKind> images = new HashSet<>();
    for (io.pachyderm.api.RejectionKind k : io.pachyderm.api.RejectionKind.values()) {
      images.add(Protos.kind(k));
    }

    assertThat(proto).isEqualTo(api);
    assertThat(images).hasSize(io.pachyderm.api.RejectionKind.values().length);
  }

  @Test
  void anUnsetRejectionKindFromTheWireReadsAsInvalidRequest() {
    Rejection unset = Rejection.newBuilder().setMessage("?").build();

    assertThat(unset.getKind()).isEqualTo(RejectionKind.REJECTION_KIND_UNSPECIFIED);
    assertThat(Protos.kind(unset.getKind())).isEqualTo(io.pachyderm.api.RejectionKind.INVALID_REQUEST);
  }

  @Test
  void aRejectionKindFromANewerPeerReadsAsInvalidRequest() throws InvalidProtocolBufferException {
    byte[] wire = Rejection.newBuilder().setKindValue(99).setMessage("new").build().toByteArray();

    Rejection parsed = Rejection.parseFrom(wire);

    assertThat(parsed.getKind()).isEqualTo(RejectionKind.UNRECOGNIZED);
    assertThat(Protos.kind(parsed.getKind())).isEqualTo(io.pachyderm.api.RejectionKind.INVALID_REQUEST);
  }

  @Test
  void aRejectionCarriesTheMappedKindAndTheMessage() {
    Rejection r = Protos.rejection(io.pachyderm.api.RejectionKind.APPLY_FAILED, "apply(Poisoned) threw");

    assertThat(r.getKind()).isEqualTo(RejectionKind.APPLY_FAILED);
    assertThat(r.getMessage()).isEqualTo("apply(Poisoned) threw");
  }

  @Test
  void anEncodedValueSurvivesPayloadWireBytesAndBackWithEveryByteValue() throws InvalidProtocolBufferException {
    byte[] data = new byte[256];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    Encoded original = new Encoded("account.Deposited", 7, data);

    Payload payload = Protos.payload(original);
    Encoded back = Protos.encoded(Payload.parseFrom(payload.toByteArray()));

    assertThat(payload.getType()).isEqualTo("account.Deposited");
    assertThat(payload.getSchemaVersion()).isEqualTo(7);
    assertThat(back).isEqualTo(original);
  }

  @Test
  void anEmptyPayloadBodyAndTheLargestSchemaVersionRoundTrip() {
    Encoded original = new Encoded("Nothing", Integer.MAX_VALUE, new byte[0]);

    assertThat(Protos.encoded(Protos.payload(original))).isEqualTo(original);
  }

  @Test
  void aPayloadWithoutSchemaVersionReadsAsVersionOne() {
    Payload unversioned = Payload.newBuilder().setType("Deposited")
        .setData(com.google.protobuf.ByteString.copyFrom("{}", StandardCharsets.UTF_8)).build();

    Encoded e = Protos.encoded(unversioned);

    assertThat(e.schemaVersion()).isEqualTo(1);
    assertThat(e.type()).isEqualTo("Deposited");
    assertThat(new String(e.data(), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  @Test
  void anEntityKeySurvivesRefAndBack() throws InvalidProtocolBufferException {
    EntityKey key = new EntityKey("prod-eu", "bank-account", "alice/ü 1");

    Ref ref = Protos.ref(key);

    assertThat(ref.getEcosystem()).isEqualTo("prod-eu");
    assertThat(ref.getType()).isEqualTo("bank-account");
    assertThat(ref.getId()).isEqualTo("alice/ü 1");
    assertThat(Protos.key(Ref.parseFrom(ref.toByteArray()))).isEqualTo(key);
  }

  @Test
  void aRequestIdSurvivesRequestKeyAndBackIncludingValuesWithTheHighBitSet() {
    RequestId id = RequestId.newBuilder().setClientHi(-1L).setClientLo(Long.MIN_VALUE).setSequence(-2L).build();

    Protos.RequestKey key = Protos.RequestKey.of(id);

    assertThat(key).isEqualTo(new Protos.RequestKey(-1L, Long.MIN_VALUE, -2L));
    assertThat(key.toProto()).isEqualTo(id);
  }
}
