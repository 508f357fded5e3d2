package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RawRatisCountersTest {
  private static final byte[] PAYLOAD = new byte[16];

  @Test
  void increments_count_per_key_and_a_query_reads_the_count() {
    RawRatis.Counters c = new RawRatis.Counters();
    assertThat(c.apply(ByteBuffer.wrap(RawRatis.request(7, PAYLOAD)))).isEqualTo(1);
    assertThat(c.apply(ByteBuffer.wrap(RawRatis.request(7, PAYLOAD)))).isEqualTo(2);
    assertThat(c.apply(ByteBuffer.wrap(RawRatis.request(8, PAYLOAD)))).isEqualTo(1);
    assertThat(c.count(ByteBuffer.wrap(RawRatis.query(7)))).isEqualTo(2);
    assertThat(c.count(ByteBuffer.wrap(RawRatis.query(9)))).isZero();
  }

  @Test
  void a_transfer_moves_one_unit_and_is_refused_when_the_payer_has_none() {
    RawRatis.Counters c = new RawRatis.Counters(1);
    assertThat(c.apply(ByteBuffer.wrap(RawRatis.transfer(0, 1, PAYLOAD)))).isZero();
    assertThat(c.balance(0)).isZero();
    assertThat(c.balance(1)).isEqualTo(2);
    assertThat(c.apply(ByteBuffer.wrap(RawRatis.transfer(0, 1, PAYLOAD)))).isEqualTo(-1);
    assertThat(c.balance(0)).isZero();
    assertThat(c.balance(1)).isEqualTo(2);
    // A transfer is not an increment: counts are untouched.
    assertThat(c.count(ByteBuffer.wrap(RawRatis.query(1)))).isZero();
  }

  @Test
  void a_request_too_short_or_of_an_unknown_op_is_refused_by_name() {
    RawRatis.Counters c = new RawRatis.Counters();
    assertThatThrownBy(() -> c.apply(ByteBuffer.wrap(new byte[3]))).hasMessageContaining("needs an op and a key");
    assertThatThrownBy(() -> c.apply(ByteBuffer.wrap(new byte[] {9, 0, 0, 0, 1}))).hasMessageContaining("unknown raw-Ratis op 9");
    assertThatThrownBy(() -> c.apply(ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 1}))).hasMessageContaining("two keys");
  }
}
