package io.pachyderm.bench.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChildLineTest {
  @Test
  void whatTheChildWritesTheDriverReadsBack() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ChildLine.progress(out, 12);
    ChildLine.result(out, "p99-us", 1234);
    ChildLine.firstCallOk(out);
    ChildLine.done(out);
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(4);
    assertThat(ChildLine.parse(lines[0])).isEqualTo(new ChildLine.Progress(12));
    assertThat(ChildLine.parse(lines[1])).isEqualTo(new ChildLine.Result("p99-us", "1234"));
    assertThat(ChildLine.parse(lines[2])).isEqualTo(new ChildLine.FirstCallOk());
    assertThat(ChildLine.parse(lines[3])).isEqualTo(new ChildLine.Done());
  }

  @Test
  void aLogLineIsPassedOnAsIs() {
    assertThat(ChildLine.parse("12:00:00.000 INFO took snapshot")).isEqualTo(new ChildLine.Other("12:00:00.000 INFO took snapshot"));
  }

  @Test
  void aBrokenProtocolLineIsNamed() {
    assertThatThrownBy(() -> ChildLine.parse("@bench progress lots"))
        .hasMessageContaining("'@bench progress lots'");
    assertThatThrownBy(() -> ChildLine.parse("@bench result only-a-key"))
        .hasMessageContaining("not a benchmark child line");
  }

  @Test
  void aValueWithABlankIsRefusedAtTheWriter() {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ChildLine.result(out, "restored", "not quite"))
        .hasMessageContaining("'not quite'");
  }
}
