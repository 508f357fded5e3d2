package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.Protos.RequestKey;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestFilterTest {
  private static RequestKey key(long client, long sequence) {
    return new RequestKey(client, ~client, sequence);
  }

  @Test
  void everyKeyAddedIsMaybeHeldAcrossGenerationsAndMostOthersAreNot() {
    RequestFilter filter = new RequestFilter();
    int held = 3 * RequestFilter.GENERATION_SEQS + 1_000;
    for (int seq = 0; seq < held; seq++) {
      filter.add(seq, key(seq % 64, seq));
    }
    assertThat(filter.generations()).isEqualTo(4);
    for (int seq = 0; seq < held; seq++) {
      assertThat(filter.mayContain(key(seq % 64, seq))).as("held %d", seq).isTrue();
    }
    int falsePositives = 0;
    int others = 100_000;
    for (int i = 0; i < others; i++) {
      if (filter.mayContain(key(1_000 + i % 64, held + i))) {
        falsePositives++;
      }
    }
    // ~0.1% per full generation kept (16 bits a key); four kept here. At 10 bits a key this was ~3%.
    assertThat(falsePositives).as("ids never added said maybe held").isLessThan(others / 100);
  }

  @Test
  void droppingTheGenerationsBeforeTheHeadForgetsTheirKeysAndKeepsTheRest() {
    RequestFilter filter = new RequestFilter(1_000);
    for (int seq = 0; seq < 5_000; seq++) {
      filter.add(seq, key(7, seq));
    }
    filter.dropBefore(2_500); // generation 2 (2,000..2,999) still holds 2,500..2,999
    assertThat(filter.generations()).isEqualTo(3);
    for (int seq = 2_000; seq < 5_000; seq++) {
      assertThat(filter.mayContain(key(7, seq))).as("kept %d", seq).isTrue();
    }
    int stillSaid = 0;
    for (int seq = 0; seq < 2_000; seq++) {
      if (filter.mayContain(key(7, seq))) {
        stillSaid++;
      }
    }
    assertThat(stillSaid).as("dropped keys said maybe held (false positives only)").isLessThan(200);
    filter.add(5_000, key(7, 5_000));
    assertThat(filter.mayContain(key(7, 5_000))).isTrue();
    filter.clear();
    assertThat(filter.generations()).isZero();
    assertThat(filter.mayContain(key(7, 4_000))).isFalse();
  }

  /**
   * The leader reads the filter while the apply thread adds and drops generations: a reader never
   * fails, and every key added before the writer published its count is seen.
   */
  @Test
  void anotherThreadReadsTheFilterWhileGenerationsAreAddedAndDropped() throws Exception {
    RequestFilter filter = new RequestFilter(100);
    AtomicLong added = new AtomicLong(-1);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean dropping = new AtomicBoolean();
    AtomicLong missed = new AtomicLong();
    Thread reader = new Thread(() -> {
      try {
        while (!done.get()) {
          long upTo = added.get();
          long passMissed = 0;
          for (long seq = Math.max(0, upTo - 250); seq <= upTo; seq++) {
            if (!filter.mayContain(key(3, seq))) {
              passMissed++;
            }
          }
          filter.mayContain(key(4, upTo));
          if (!dropping.get()) { // no generation was dropped during the pass: nothing may be missed
            missed.addAndGet(passMissed);
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    reader.start();
    for (int seq = 0; seq < 20_000; seq++) {
      filter.add(seq, key(3, seq));
      added.set(seq);
    }
    dropping.set(true);
    for (int head = 0; head < 20_000; head += 100) { // the last generation (19,900..19,999) stays
      filter.dropBefore(head);
    }
    done.set(true);
    reader.join(10_000);
    assertThat(failure.get()).as("the reader's failure").isNull();
    assertThat(missed.get()).as("published keys said not held").isZero();
    assertThat(filter.generations()).isEqualTo(1);
  }

  @Test
  void aSequenceNumberBeforeTheFirstGenerationIsRefused() {
    RequestFilter filter = new RequestFilter(10);
    filter.add(100, key(1, 1));
    assertThatThrownBy(() -> filter.add(5, key(1, 2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequence 5");
    assertThatThrownBy(() -> new RequestFilter(0)).hasMessageContaining(">= 1");
  }
}
