package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxTest {
  private static final EntityKey A = new EntityKey("e", "t", "a");
  private static final EntityKey B = new EntityKey("e", "t", "b");
  private static final EntityKey C = new EntityKey("e", "t", "c");
  private static final Payload P = Payload.newBuilder().setType("X").setSchemaVersion(1)
      .setData(ByteString.copyFromUtf8("{}")).build();

  private static PendingMessage message(Outbox outbox, EntityKey from, EntityKey to) {
    PendingMessage m = PendingMessage.newBuilder().setSource(Protos.ref(from)).setSeq(outbox.nextSeq(from))
        .setTarget(Protos.ref(to)).setPayload(P).build();
    outbox.addMessage(m);
    return m;
  }

  private static Outbox.Id id(PendingMessage m) {
    return new Outbox.Id(Protos.key(m.getSource()), m.getSeq());
  }

  @Test
  void onlyTheOldestPendingMessageOfASenderReceiverPairMayBeDelivered() {
    Outbox outbox = new Outbox();
    PendingMessage ab1 = message(outbox, A, B);
    PendingMessage ac2 = message(outbox, A, C);
    PendingMessage ab3 = message(outbox, A, B);

    assertThat(outbox.isNextOfItsPair(id(ab3), ab3)).as("a later message to the same receiver waits").isFalse();
    assertThat(outbox.isNextOfItsPair(id(ac2), ac2)).as("another receiver does not wait").isTrue();
    assertThat(outbox.isNextOfItsPair(id(ab1), ab1)).isTrue();

    outbox.removeMessage(id(ab1), ab1);
    assertThat(outbox.isNextOfItsPair(id(ab3), ab3)).isTrue();
    assertThat(outbox.message(id(ab1))).isNull();
    assertThat(outbox.messageCount()).isEqualTo(2);
  }

  @Test
  void sequenceNumbersArePerSourceAndSurviveASnapshotRoundTripWithTheSameBytes() {
    Outbox outbox = new Outbox();
    message(outbox, B, A);
    message(outbox, A, B);
    PendingMessage a2 = message(outbox, A, B);
    Outbox.Id effect = new Outbox.Id(C, outbox.nextSeq(C));
    outbox.putEffect(effect, PendingEffect.newBuilder().setId(effect.toProto()).setHandler("h").setPayload(P).build());
    Outbox.Id dead = new Outbox.Id(C, outbox.nextSeq(C));
    outbox.putDeadLetter(dead, PendingEffect.newBuilder().setId(dead.toProto()).setHandler("h").setAttempts(3).build());
    outbox.putTimer(new TimerKey(A, "t"), PendingTimer.newBuilder().setOwner(Protos.ref(A)).setName("t")
        .setSeq(outbox.nextSeq(A)).setTarget(Protos.ref(B)).setPayload(P).setDueMs(5).build());

    assertThat(a2.getSeq()).isEqualTo(2);
    assertThat(effect.seq()).isEqualTo(1);
    List<OutboxItem> items = outbox.snapshotItems();
    Outbox copy = new Outbox();
    items.forEach(copy::restore);

    assertThat(copy.snapshotItems()).isEqualTo(items);
    assertThat(copy.nextSeq(A)).as("the counter continues after the timer's seq 3").isEqualTo(4);
    assertThat(copy.isNextOfItsPair(id(a2), a2)).as("pair order rebuilt from the snapshot").isFalse();
    assertThat(copy.deadLetters(0)).hasSize(1);
    assertThat(copy.effectCount()).isEqualTo(1);
    assertThat(copy.timerCount()).isEqualTo(1);
  }

  @Test
  void deadLettersHoldTheirSlotUnderTheOutboxBoundUntilDiscarded() {
    Outbox outbox = new Outbox();
    Outbox.Id id = new Outbox.Id(new EntityKey("e", "t", "a"), 1);
    PendingEffect effect = PendingEffect.newBuilder().setId(id.toProto()).setHandler("h").build();
    outbox.putEffect(id, effect);
    assertThat(outbox.pendingItems()).isEqualTo(1);
    // An effect that ran out of attempts moves to the dead letters: still one item.
    outbox.removeEffect(id);
    outbox.putDeadLetter(id, effect.toBuilder().setAttempts(3).build());
    assertThat(outbox.pendingItems()).as("a dead letter counts against outboxItemsMax").isEqualTo(1);
    outbox.putDeadLetter(id, effect.toBuilder().setAttempts(4).build());
    assertThat(outbox.pendingItems()).as("replacing a dead letter adds nothing").isEqualTo(1);
    outbox.removeDeadLetter(id);
    assertThat(outbox.pendingItems()).isZero();
  }
}
