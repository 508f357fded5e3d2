package io.pachyderm.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.pachyderm.codec.Encoded;
import io.pachyderm.runtime.EntityKey;

/** Conversions between runtime values and their protobuf messages. */
public final class Protos {
  private Protos() {}

  public static Payload payload(Encoded e) {
    return Payload.newBuilder()
        .setType(e.type())
        .setSchemaVersion(e.schemaVersion())
        .setData(UnsafeByteOperations.unsafeWrap(e.data()))
        .build();
  }

  public static Encoded encoded(Payload p) {
    return new Encoded(p.getType(), Math.max(1, p.getSchemaVersion()), p.getData().toByteArray());
  }

  public static Ref ref(EntityKey key) {
    return Ref.newBuilder().setEcosystem(key.ecosystem()).setType(key.type()).setId(key.id()).build();
  }

  public static EntityKey key(Ref ref) {
    return new EntityKey(ref.getEcosystem(), ref.getType(), ref.getId());
  }

  public static io.pachyderm.api.RejectionKind kind(RejectionKind kind) {
    return switch (kind) {
      case REJECTED_BY_ENTITY -> io.pachyderm.api.RejectionKind.REJECTED_BY_ENTITY;
      case UNKNOWN_ENTITY_TYPE -> io.pachyderm.api.RejectionKind.UNKNOWN_ENTITY_TYPE;
      case UNDECODABLE_PAYLOAD -> io.pachyderm.api.RejectionKind.UNDECODABLE_PAYLOAD;
      case HANDLER_FAILED -> io.pachyderm.api.RejectionKind.HANDLER_FAILED;
      case APPLY_FAILED -> io.pachyderm.api.RejectionKind.APPLY_FAILED;
      case INVALID_DECISION -> io.pachyderm.api.RejectionKind.INVALID_DECISION;
      case TOO_LARGE -> io.pachyderm.api.RejectionKind.TOO_LARGE;
      case LIMIT_EXCEEDED -> io.pachyderm.api.RejectionKind.LIMIT_EXCEEDED;
      case INVALID_REQUEST, REJECTION_KIND_UNSPECIFIED, UNRECOGNIZED -> io.pachyderm.api.RejectionKind.INVALID_REQUEST;
    };
  }

  public static RejectionKind kind(io.pachyderm.api.RejectionKind kind) {
    return switch (kind) {
      case REJECTED_BY_ENTITY -> RejectionKind.REJECTED_BY_ENTITY;
      case UNKNOWN_ENTITY_TYPE -> RejectionKind.UNKNOWN_ENTITY_TYPE;
      case UNDECODABLE_PAYLOAD -> RejectionKind.UNDECODABLE_PAYLOAD;
      case HANDLER_FAILED -> RejectionKind.HANDLER_FAILED;
      case APPLY_FAILED -> RejectionKind.APPLY_FAILED;
      case INVALID_DECISION -> RejectionKind.INVALID_DECISION;
      case TOO_LARGE -> RejectionKind.TOO_LARGE;
      case LIMIT_EXCEEDED -> RejectionKind.LIMIT_EXCEEDED;
      case INVALID_REQUEST -> RejectionKind.INVALID_REQUEST;
    };
  }

  public static Rejection rejection(io.pachyderm.api.RejectionKind kind, String message) {
    return Rejection.newBuilder().setKind(kind(kind)).setMessage(message).build();
  }

  /** A request id as a map key. */
  public record RequestKey(long clientHi, long clientLo, long sequence) {
    public static RequestKey of(RequestId id) {
      return new RequestKey(id.getClientHi(), id.getClientLo(), id.getSequence());
    }

    public RequestId toProto() {
      return RequestId.newBuilder().setClientHi(clientHi).setClientLo(clientLo).setSequence(sequence).build();
    }
  }

  /** Wraps bytes without copying; the caller must not modify {@code bytes} afterwards. */
  public static ByteString wrap(byte[] bytes) {
    return UnsafeByteOperations.unsafeWrap(bytes);
  }
}
