package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.Payload;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void inputIsSentCompact() {
    assertThat(new String(Json.compact(" { \"by\" : 2 } "), StandardCharsets.UTF_8)).isEqualTo("{\"by\":2}");
  }

  @Test
  void inputErrorsSayWhere() {
    assertThatThrownBy(() -> Json.compact("{\"by\":}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1, column 7");
  }

  @Test
  void jsonPayloadsRenderAsCompactJson() {
    Payload p = Payload.newBuilder().setType("State").setSchemaVersion(1)
        .setData(ByteString.copyFromUtf8("{\n  \"count\": 3\n}")).build();
    assertThat(Json.render(p)).isEqualTo("{\"count\":3}");
  }

  @Test
  void otherPayloadsRenderAsBase64NamingTheType() {
    Payload p = Payload.newBuilder().setType("State").setSchemaVersion(1)
        .setData(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x00, 0x01})).build();
    assertThat(Json.render(p)).isEqualTo("base64:/wAB (State, not JSON)");
  }
}
