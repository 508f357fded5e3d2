package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import org.junit.jupiter.api.Test;

class ErrorLinesTest {
  @Test
  void causeThatOnlyRepeatsAPathAddsItsClassName() {
    var e = new UncheckedIOException("cannot create the server in /data/n2",
        new FileAlreadyExistsException("/data/n2"));
    assertThat(PachydermCli.describe(e)).isEqualTo("cannot create the server in /data/n2 (FileAlreadyExistsException)");
  }

  @Test
  void causeWithNewsAddsItsMessage() {
    var e = new UncheckedIOException("node n1: cannot start", new IOException("Address already in use"));
    assertThat(PachydermCli.describe(e)).isEqualTo("node n1: cannot start: Address already in use");
  }

  @Test
  void multiLineMessagesBecomeOneLine() {
    assertThat(PachydermCli.oneLine("first\n   second\r\nthird  ")).isEqualTo("first second third");
  }

  @Test
  void longMessagesAreCut() {
    assertThat(PachydermCli.oneLine("x".repeat(5000))).hasSize(1003).endsWith("...");
  }
}
